# operation: root_trust
# language: 1.0
# exchange: none
#
# Put CA certificates into (or take them out of) LocalMachine\Root and LocalMachine\CA with .NET X509Store, which
# needs no PKI module (host-facts.md). The controller validates the certificates already; the host checks them again
# on its own before it opens a store, so a refused input leaves every store as it was even if the controller's checks
# were bypassed (docs/security.md, "Validate everything before changing anything"). Every certificate: basic
# constraints CA:TRUE; keyCertSign when it has a key usage extension; self-issued ones must be self-signed and go to
# Root, the others to CA. To add (State present) also: NotBefore/NotAfter against this host's clock, and each chain
# built here (given certificates as extra store) must be valid but for an untrusted root that is itself given.
param([string[]] $Root = @(), [string[]] $Intermediate = @(), [string] $State = 'present', [bool] $CheckMode = $false)

$x509 = 'System.Security.Cryptography.X509Certificates'
# X509Certificate2.NotBefore and NotAfter are local times (.NET 2.0 documentation), so the clock is read as local too.
$now = [DateTime]::Now

function ConvertFrom-ExumBase64Certificate([string] $Text) {
    $certificate = New-Object "$x509.X509Certificate2"
    $certificate.Import([Convert]::FromBase64String($Text))
    $certificate
}

function Get-ExumName($Certificate) {
    $Certificate.Subject + ' (' + $Certificate.Thumbprint + ')'
}

function Test-ExumCertificateAuthority($Certificate) {
    $extension = Get-ExumExtension $Certificate '2.5.29.19'
    if ($null -eq $extension) { return $false }
    $constraints = New-Object "$x509.X509BasicConstraintsExtension" $extension, $extension.Critical
    $constraints.CertificateAuthority
}

function Test-ExumCertificateSigning($Certificate) {
    # RFC 5280 4.2.1.3: with a key usage extension, only keyCertSign lets the key sign certificates.
    $extension = Get-ExumExtension $Certificate '2.5.29.15'
    if ($null -eq $extension) { return $true }
    $usage = New-Object "$x509.X509KeyUsageExtension" $extension, $extension.Critical
    $keyCertSign = [int][System.Security.Cryptography.X509Certificates.X509KeyUsageFlags]::KeyCertSign
    ([int]$usage.KeyUsages -band $keyCertSign) -ne 0
}

function Test-ExumSelfIssued($Certificate) {
    $subject = $Certificate.SubjectName.RawData
    $issuer = $Certificate.IssuerName.RawData
    if ($subject.Length -ne $issuer.Length) { return $false }
    [Convert]::ToBase64String($subject) -eq [Convert]::ToBase64String($issuer)
}

function New-ExumChain($Extra) {
    # A chain built as Windows builds it for the machine's services: issuers from the machine's stores (and $Extra,
    # the policy's ExtraStore); revocation is not checked (an offline root's CRL need not be reachable from here).
    $builder = New-Object "$x509.X509Chain" $true
    $builder.ChainPolicy.RevocationMode = [System.Security.Cryptography.X509Certificates.X509RevocationMode]::NoCheck
    foreach ($item in $Extra) { [void]$builder.ChainPolicy.ExtraStore.Add($item) }
    $builder
}

function Get-ExumChainStatus($Builder) {
    $status = New-Object System.Collections.ArrayList
    foreach ($entry in $Builder.ChainStatus) { [void]$status.Add([string]$entry.Status) }
    , $status
}

function Test-ExumListed($List, [string] $Value) {
    foreach ($item in $List) {
        if ($item -eq $Value) { return $true }
    }
    $false
}

function Join-ExumList($List) {
    if ($List.Count -eq 0) { return 'no status' }
    [string]::Join(', ', [string[]]$List.ToArray())
}

function Assert-ExumSelfSigned($Certificate, [string] $Name) {
    # .NET 2.0 verifies a certificate's signature only in its chain engine: a chain built for a self-signed
    # certificate ends at it (one element), and X509ChainStatusFlags reports NotSignatureValid for a signature that
    # does not verify, PartialChain when no issuer was found. X509Certificate2.Verify() cannot tell: it returns false
    # for every root that is not trusted yet.
    $builder = New-ExumChain @()
    [void]$builder.Build($Certificate)
    $status = Get-ExumChainStatus $builder
    $broken = (Test-ExumListed $status 'NotSignatureValid') -or (Test-ExumListed $status 'PartialChain')
    if ($broken -or $builder.ChainElements.Count -ne 1) {
        Stop-ExumOperation 'ExumRootSignatureNotValid' ($Name + ' names itself as its issuer, but its own key does not verify its signature (X509Chain: ' + (Join-ExumList $status) + '): it is damaged or forged and is not trusted as a root.')
    }
}

function Assert-ExumPlacement($Certificate, [string] $StoreName) {
    $name = Get-ExumName $Certificate
    if (-not (Test-ExumCertificateAuthority $Certificate)) {
        Stop-ExumOperation 'ExumNotCertificateAuthority' ($name + ' is not a CA certificate (no basic constraints CA:TRUE); it belongs in no trust store.')
    }
    if (-not (Test-ExumCertificateSigning $Certificate)) {
        Stop-ExumOperation 'ExumNoCertificateSigning' ($name + ' is a CA certificate whose key usage lacks keyCertSign; it belongs in no trust store.')
    }
    $selfIssued = Test-ExumSelfIssued $Certificate
    if ($selfIssued) { Assert-ExumSelfSigned $Certificate $name }
    if ($StoreName -eq 'Root' -and -not $selfIssued) {
        Stop-ExumOperation 'ExumNotRootCertificate' ($name + ' is not self-issued: an intermediate CA never goes into Root.')
    }
    if ($StoreName -eq 'CA' -and $selfIssued) {
        Stop-ExumOperation 'ExumNotIntermediateCertificate' ($name + ' is a root CA: it goes into Root, not CA.')
    }
}

function Assert-ExumTimeValid($Certificate) {
    $name = Get-ExumName $Certificate
    $period = ' (valid ' + (Format-ExumTime $Certificate.NotBefore) + ' to ' + (Format-ExumTime $Certificate.NotAfter) + '; the host clock says ' + (Format-ExumTime $now) + ')'
    if ($now -lt $Certificate.NotBefore) {
        Stop-ExumOperation 'ExumCertificateNotYetValid' ($name + ' is not valid yet' + $period + '; a CA certificate is trusted only within its validity period.')
    }
    if ($now -gt $Certificate.NotAfter) {
        Stop-ExumOperation 'ExumCertificateExpired' ($name + ' has expired' + $period + '; an expired CA certificate is not put into a trust store.')
    }
}

function Assert-ExumChain($Certificate, $Given, $GivenRoots) {
    # The chain must be valid once the given roots are in Root: the only status allowed is UntrustedRoot, and only
    # when the chain ends at one of the given roots.
    $name = Get-ExumName $Certificate
    $builder = New-ExumChain $Given
    [void]$builder.Build($Certificate)
    $status = Get-ExumChainStatus $builder
    $top = $builder.ChainElements[$builder.ChainElements.Count - 1].Certificate
    if (Test-ExumListed $status 'PartialChain') {
        $where = ': its issuer '
        if ($top.Thumbprint -ne $Certificate.Thumbprint) { $where = ': its chain ends at ' + (Get-ExumName $top) + ', whose issuer ' }
        Stop-ExumOperation 'ExumIssuerNotFound' ($name + $where + $top.Issuer + ' is neither given nor in LocalMachine\Root or CA; give the whole chain up to its root, or trust the root first.')
    }
    $problems = New-Object System.Collections.ArrayList
    foreach ($flag in $status) {
        if ($flag -ne 'UntrustedRoot' -or -not (Test-ExumListed $GivenRoots $top.Thumbprint)) { [void]$problems.Add($flag) }
    }
    if ($problems.Count -gt 0) {
        Stop-ExumOperation 'ExumChainNotValid' ($name + ': its chain up to ' + (Get-ExumName $top) + ' is not valid on this host (X509Chain: ' + (Join-ExumList $problems) + ').')
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

# Every check runs before the first store is opened.
foreach ($storeName in @('Root', 'CA')) {
    foreach ($certificate in $wanted[$storeName]) { Assert-ExumPlacement $certificate $storeName }
}
if ($State -eq 'present') {
    $given = New-Object "$x509.X509Certificate2Collection"
    $givenRoots = New-Object System.Collections.ArrayList
    foreach ($certificate in $wanted['Root']) { [void]$given.Add($certificate); [void]$givenRoots.Add($certificate.Thumbprint) }
    foreach ($certificate in $wanted['CA']) { [void]$given.Add($certificate) }
    foreach ($certificate in $given) { Assert-ExumTimeValid $certificate }
    foreach ($certificate in $given) { Assert-ExumChain $certificate $given $givenRoots }
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

# The chain of the lowest certificate given, built from the machine's stores now that they hold what was given, as
# Windows would build it for a TLS peer.
$chain = $null
if ($State -eq 'present' -and -not $CheckMode) {
    $lowest = $null
    if ($wanted['CA'].Count -gt 0) { $lowest = $wanted['CA'][0] } elseif ($wanted['Root'].Count -gt 0) { $lowest = $wanted['Root'][0] }
    if ($null -ne $lowest) {
        $builder = New-ExumChain @()
        $built = $builder.Build($lowest)
        $chain = @{ 'built' = $built; 'status' = (Get-ExumChainStatus $builder) }
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
