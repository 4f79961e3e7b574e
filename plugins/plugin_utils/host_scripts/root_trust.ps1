# operation: root_trust
# language: 1.0
# exchange: none
#
# Put CA certificates into (or take them out of) LocalMachine\Root and LocalMachine\CA with .NET X509Store, which
# needs no PKI module (host-facts.md). The controller classifies the certificates already; the host refuses a wrong
# one again on its own, so a mistake on either side cannot put a leaf or an intermediate into Root.
param([string[]] $Root = @(), [string[]] $Intermediate = @(), [string] $State = 'present', [bool] $CheckMode = $false)

$x509 = 'System.Security.Cryptography.X509Certificates'

function ConvertFrom-ExumBase64Certificate([string] $Text) {
    $certificate = New-Object "$x509.X509Certificate2"
    $certificate.Import([Convert]::FromBase64String($Text))
    $certificate
}

function Test-ExumCertificateAuthority($Certificate) {
    foreach ($extension in $Certificate.Extensions) {
        if ($extension.Oid.Value -eq '2.5.29.19') {
            $constraints = New-Object "$x509.X509BasicConstraintsExtension" $extension, $extension.Critical
            return $constraints.CertificateAuthority
        }
    }
    $false
}

function Assert-ExumPlacement($Certificate, [string] $StoreName) {
    $name = $Certificate.Subject + ' (' + $Certificate.Thumbprint + ')'
    if (-not (Test-ExumCertificateAuthority $Certificate)) {
        Stop-ExumOperation 'ExumNotCertificateAuthority' ($name + ' is not a CA certificate (no basic constraints CA:TRUE); it belongs in no trust store.')
    }
    $selfIssued = $Certificate.SubjectName.RawData.Length -eq $Certificate.IssuerName.RawData.Length
    if ($selfIssued) {
        $subject = [Convert]::ToBase64String($Certificate.SubjectName.RawData)
        $selfIssued = $subject -eq [Convert]::ToBase64String($Certificate.IssuerName.RawData)
    }
    if ($StoreName -eq 'Root' -and -not $selfIssued) {
        Stop-ExumOperation 'ExumNotRootCertificate' ($name + ' is not self-issued: an intermediate CA never goes into Root.')
    }
    if ($StoreName -eq 'CA' -and $selfIssued) {
        Stop-ExumOperation 'ExumNotIntermediateCertificate' ($name + ' is a root CA: it goes into Root, not CA.')
    }
}

function Get-ExumThumbprints($Store) {
    $thumbprints = New-Object System.Collections.ArrayList
    foreach ($certificate in $Store.Certificates) { [void]$thumbprints.Add($certificate.Thumbprint) }
    , $thumbprints
}

function Test-ExumInStore($Store, [string] $Thumbprint) {
    $found = $Store.Certificates.Find([System.Security.Cryptography.X509Certificates.X509FindType]::FindByThumbprint, $Thumbprint, $false)
    $found.Count -gt 0
}

$wanted = @{ 'Root' = New-Object System.Collections.ArrayList; 'CA' = New-Object System.Collections.ArrayList }
foreach ($text in $Root) { [void]$wanted['Root'].Add((ConvertFrom-ExumBase64Certificate $text)) }
foreach ($text in $Intermediate) { [void]$wanted['CA'].Add((ConvertFrom-ExumBase64Certificate $text)) }
foreach ($storeName in @('Root', 'CA')) {
    foreach ($certificate in $wanted[$storeName]) { Assert-ExumPlacement $certificate $storeName }
}

$openFlags = [System.Security.Cryptography.X509Certificates.OpenFlags]::ReadWrite
if ($CheckMode) { $openFlags = [System.Security.Cryptography.X509Certificates.OpenFlags]::ReadOnly }
$added = New-Object System.Collections.ArrayList
$removed = New-Object System.Collections.ArrayList
$before = @{}
$after = @{}
foreach ($storeName in @('Root', 'CA')) {
    $store = New-Object "$x509.X509Store" $storeName, 'LocalMachine'
    $store.Open($openFlags)
    $before[$storeName] = Get-ExumThumbprints $store
    foreach ($certificate in $wanted[$storeName]) {
        $present = Test-ExumInStore $store $certificate.Thumbprint
        $change = @{ 'store' = $storeName; 'thumbprint' = $certificate.Thumbprint }
        if ($State -eq 'present' -and -not $present) {
            if (-not $CheckMode) { $store.Add($certificate) }
            [void]$added.Add($change)
        }
        if ($State -eq 'absent' -and $present) {
            if (-not $CheckMode) { $store.Remove($certificate) }
            [void]$removed.Add($change)
        }
    }
    $after[$storeName] = Get-ExumThumbprints $store
    $store.Close()
}

# The chain of the lowest certificate given, built from the machine's stores as Windows would for a TLS peer;
# revocation is not checked (an offline root's CRL need not be reachable from the Exchange server).
$chain = $null
if ($State -eq 'present' -and -not $CheckMode) {
    $lowest = $null
    if ($wanted['CA'].Count -gt 0) { $lowest = $wanted['CA'][0] } elseif ($wanted['Root'].Count -gt 0) { $lowest = $wanted['Root'][0] }
    if ($null -ne $lowest) {
        $builder = New-Object "$x509.X509Chain" $true
        $builder.ChainPolicy.RevocationMode = [System.Security.Cryptography.X509Certificates.X509RevocationMode]::NoCheck
        $built = $builder.Build($lowest)
        $status = New-Object System.Collections.ArrayList
        foreach ($entry in $builder.ChainStatus) { [void]$status.Add([string]$entry.Status) }
        $chain = @{ 'built' = $built; 'status' = $status }
    }
}

@{
    'changed' = (($added.Count + $removed.Count) -gt 0)
    'added' = $added
    'removed' = $removed
    'before' = $before
    'after' = $after
    'chain' = $chain
}
