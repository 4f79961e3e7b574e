# operation: certificate_request
# language: 1.0
# exchange: none
# payload-functions: Invoke-ExumRequestMethod
#
# The host side of certificate_request (docs/certificate-request.md); the method's own commands are in the fragment
# the controller wraps as Invoke-ExumRequestMethod (certificate_request.none.ps1 for certreq, or the Exchange version's).
# The key is born here and never leaves: the method makes it in the machine's key set and keeps it in the REQUEST
# store ("Certificate Enrollment Requests") until the issued certificate is paired with it in LocalMachine\My
# (host-facts.md "certreq / certutil"). The controller submits the request to AD CS; the host never talks to the CA.
#
# Step prepare: inspect LocalMachine\My for a usable certificate (private key, every name, serverAuth, valid beyond
#   the renewal window, chain built here to one of the Issuers, not revoked as far as this host can tell); else
#   resume the pending request recorded for the FQDN, or make a new key and request and record it.
# Step record: write the CA's request id into the record (the CA holds the request for approval).
# Step install: check the issued certificate's chain here, certreq -accept -machine it, check it paired with its
#   key in My, set its friendly name, drop the record.
# Step discard: remove the pending key (its REQUEST entry) and the record (a denied or superseded request).
# Step remove: take the given certificates out of LocalMachine\My and drop any record (state absent).
#
# The record is the collection's own key HKLM\SOFTWARE\exchange_um\certificates\Requests\<fqdn>, string values
# RequestId, Ca, Template, Names, KeyLength, KeyThumbprint (the REQUEST entry that holds the key), Request (the
# PKCS#10 request, public data) and Created. Temporary files live in the logon's temp directory and are removed
# whatever happens.
param(
    [string] $Step = 'prepare',
    [string] $Fqdn = '',
    [string[]] $Names = @(),
    [string[]] $Issuers = @(),
    [int] $RenewBeforeDays = 30,
    [int] $KeyLength = 2048,
    [bool] $Exportable = $false,
    [bool] $Force = $false,
    [bool] $CheckMode = $false,
    [string] $Template = '',
    [string] $Ca = '',
    [string] $RequestId = '',
    [string] $Certificate = '',
    [string] $FriendlyName = '',
    [string[]] $Remove = @()
)

$x509 = 'System.Security.Cryptography.X509Certificates'
if (-not $Fqdn) {
    # Without the exchange_um_host fact the FQDN is the computer's, read as exchange_info reads it.
    $computer = Get-WmiObject -Class Win32_ComputerSystem
    $hostName = $computer.DNSHostName
    if (-not $hostName) { $hostName = $env:COMPUTERNAME }
    $Fqdn = $hostName
    if ($computer.PartOfDomain -and $computer.Domain) { $Fqdn = $hostName + '.' + $computer.Domain }
}
$Fqdn = $Fqdn.ToLower()
# The FQDN is the first name; the SANs follow it, each once.
$wantedNames = New-Object System.Collections.ArrayList
[void]$wantedNames.Add($Fqdn)
foreach ($name in $Names) {
    if (-not $wantedNames.Contains($name.ToLower())) { [void]$wantedNames.Add($name.ToLower()) }
}
$Names = [string[]]$wantedNames.ToArray()
# X509Certificate2.NotBefore and NotAfter are local times (.NET 2.0 documentation), so the clock is read as local too.
$now = [DateTime]::Now
$recordRoot = 'HKLM:\SOFTWARE\exchange_um\certificates\Requests'
$recordPath = $recordRoot + '\' + $Fqdn
# certreq of Windows Server 2003 (NT 5.2) has no -machine option and no [Extensions] {text} syntax: its SANs go in
# the SAN request attribute (host-facts.md "certreq / certutil").
$legacy = [Environment]::OSVersion.Version.Major -lt 6
$serverAuth = '1.3.6.1.5.5.7.3.1'
$anyUsage = '2.5.29.37.0'

function Read-ExumLength($Data, [int] $Position) {
    # DER length octets at $Position (X.690 8.1.3): returns @(length, position after the length octets).
    $first = [int]$Data[$Position]
    if ($first -lt 128) { return @($first, ($Position + 1)) }
    $count = $first - 128
    $length = 0
    for ($index = 1; $index -le $count; $index++) { $length = $length * 256 + [int]$Data[$Position + $index] }
    @($length, ($Position + 1 + $count))
}

function Get-ExumDnsNames($Item) {
    # The dNSName entries ([2] IA5String, tag 0x82) of the subjectAltName extension (RFC 5280 4.2.1.6); without the
    # extension the subject's common name is the name (.NET 2.0 has no SAN extension class, so the DER is read here).
    $names = New-Object System.Collections.ArrayList
    $extension = Get-ExumExtension $Item '2.5.29.17'
    if ($null -eq $extension) {
        $common = $Item.GetNameInfo([System.Security.Cryptography.X509Certificates.X509NameType]::SimpleName, $false)
        if ($common) { [void]$names.Add($common.ToLower()) }
        return , $names
    }
    $data = $extension.RawData
    if ($data.Length -lt 2 -or [int]$data[0] -ne 48) { return , $names }
    $header = Read-ExumLength $data 1
    $position = $header[1]
    $end = $position + $header[0]
    while ($position -lt $end -and $position -lt $data.Length) {
        $tag = [int]$data[$position]
        $field = Read-ExumLength $data ($position + 1)
        if ($tag -eq 130) { [void]$names.Add([System.Text.Encoding]::ASCII.GetString($data, $field[1], $field[0]).ToLower()) }
        $position = $field[1] + $field[0]
    }
    , $names
}

function Test-ExumNameCovered($Covered, [string] $Name) {
    # A DNS name is covered by itself or by a wildcard for its first label (RFC 6125 6.4.3), compared without case.
    $wanted = $Name.ToLower()
    $dot = $wanted.IndexOf('.')
    foreach ($have in $Covered) {
        if ($have -eq $wanted) { return $true }
        if ($dot -gt 0 -and $have -eq ('*' + $wanted.Substring($dot))) { return $true }
    }
    $false
}

function Test-ExumServerAuth($Item) {
    # Without an EKU extension every usage is allowed (RFC 5280 4.2.1.12); with one it must list serverAuth or any.
    $extension = Get-ExumExtension $Item '2.5.29.37'
    if ($null -eq $extension) { return $true }
    $usages = New-Object "$x509.X509EnhancedKeyUsageExtension" $extension, $extension.Critical
    foreach ($oid in $usages.EnhancedKeyUsages) {
        if ($oid.Value -eq $serverAuth -or $oid.Value -eq $anyUsage) { return $true }
    }
    $false
}

function Get-ExumChain($Item) {
    # The chain as Windows builds it for the machine's services, revocation from what the host has cached (Offline):
    # no CRL fetch from here. Built: every status is one this host can live with, and one of the Issuers is in it.
    $builder = New-Object "$x509.X509Chain" $true
    $builder.ChainPolicy.RevocationMode = [System.Security.Cryptography.X509Certificates.X509RevocationMode]::Offline
    [void]$builder.Build($Item)
    $status = New-Object System.Collections.ArrayList
    $problems = New-Object System.Collections.ArrayList
    foreach ($entry in $builder.ChainStatus) {
        $flag = [string]$entry.Status
        [void]$status.Add($flag)
        # What cannot be checked without the CRL is not a finding; a revoked certificate is.
        if ($flag -ne 'RevocationStatusUnknown' -and $flag -ne 'OfflineRevocation') { [void]$problems.Add($flag) }
    }
    $issuer = $null
    for ($index = 1; $index -lt $builder.ChainElements.Count; $index++) {
        $thumbprint = $builder.ChainElements[$index].Certificate.Thumbprint
        foreach ($wanted in $Issuers) {
            if ($wanted -eq $thumbprint) { $issuer = $thumbprint }
        }
    }
    @{ 'built' = ($problems.Count -eq 0 -and $null -ne $issuer); 'status' = $status; 'issuer' = $issuer }
}

function Get-ExumProblems($Item, $Covered) {
    # Why a certificate of My is not the one for the FQDN: empty when it is usable. $Covered: its DNS names.
    $problems = New-Object System.Collections.ArrayList
    if (-not $Item.HasPrivateKey) { [void]$problems.Add('no private key') }
    foreach ($name in $Names) {
        if (-not (Test-ExumNameCovered $Covered $name)) { [void]$problems.Add('does not name ' + $name) }
    }
    if (-not (Test-ExumServerAuth $Item)) { [void]$problems.Add('no serverAuth usage') }
    if ($now -lt $Item.NotBefore) { [void]$problems.Add('not valid yet') }
    if ($Item.NotAfter -le $now.AddDays($RenewBeforeDays)) { [void]$problems.Add('expires within ' + $RenewBeforeDays + ' days') }
    if ($problems.Count -eq 0) {
        $chain = Get-ExumChain $Item
        if (-not $chain['built']) { [void]$problems.Add('its chain does not build here to the issuer') }
    }
    , $problems
}

function Open-ExumStore([string] $Name, [bool] $Write) {
    $store = New-Object "$x509.X509Store" $Name, 'LocalMachine'
    $flags = [System.Security.Cryptography.X509Certificates.OpenFlags]::ReadOnly
    if ($Write) { $flags = [System.Security.Cryptography.X509Certificates.OpenFlags]::ReadWrite }
    $store.Open($flags)
    $store
}

function Get-ExumStoreEntries([string] $Name) {
    $store = Open-ExumStore $Name $false
    $entries = New-Object System.Collections.ArrayList
    foreach ($item in $store.Certificates) { [void]$entries.Add((ConvertTo-ExumCertificateEntry $item)) }
    $store.Close()
    , $entries
}

function Find-ExumInStore($Store, [string] $Thumbprint) {
    $found = $Store.Certificates.Find([System.Security.Cryptography.X509Certificates.X509FindType]::FindByThumbprint, $Thumbprint, $false)
    if ($found.Count -eq 0) { return $null }
    $found[0]
}

function Get-ExumRecord {
    if (-not (Test-Path -Path $recordPath)) { return $null }
    $item = Get-ItemProperty -Path $recordPath
    $record = @{}
    foreach ($name in @('RequestId', 'Ca', 'Template', 'Names', 'KeyLength', 'KeyThumbprint', 'Request', 'Created')) {
        $record[$name] = [string]$item.$name
    }
    $record
}

function Set-ExumRecordValue([string] $Name, [string] $Value) {
    Set-ItemProperty -Path $recordPath -Name $Name -Value $Value
}

function New-ExumRecordKey {
    # One level at a time: New-Item -Force would replace an existing key with an empty one.
    $path = 'HKLM:\SOFTWARE'
    foreach ($part in @('exchange_um', 'certificates', 'Requests', $Fqdn)) {
        $path = $path + '\' + $part
        if (-not (Test-Path -Path $path)) { [void](New-Item -Path $path) }
    }
}

function Remove-ExumPending([string] $KeyThumbprint) {
    # The pending request's REQUEST entry holds its key; removing it is what leaves no orphan behind.
    $removed = $false
    if ($KeyThumbprint) {
        $store = Open-ExumStore 'REQUEST' $true
        $item = Find-ExumInStore $store $KeyThumbprint
        if ($null -ne $item) { $store.Remove($item); $removed = $true }
        $store.Close()
    }
    if (Remove-ExumRecord) { $removed = $true }
    $removed
}

function Remove-ExumRecord {
    if (-not (Test-Path -Path $recordPath)) { return $false }
    Remove-Item -Path $recordPath -Recurse
    $true
}

function Remove-ExumFiles($Paths) {
    foreach ($path in $Paths) {
        if (Test-Path -Path $path) { Remove-Item -Path $path -Force }
    }
}

function New-ExumTempBase {
    Join-Path ([System.IO.Path]::GetTempPath()) ('exum-' + [System.IO.Path]::GetRandomFileName())
}

function New-ExumRequest {
    # The method's fragment (Invoke-ExumRequestMethod: certreq -new, or New-ExchangeCertificate -GenerateRequest)
    # makes the key in the machine's key set and its REQUEST entry; the new entry is the pending key's identity.
    $store = Open-ExumStore 'REQUEST' $false
    $before = @{}
    foreach ($item in $store.Certificates) { $before[$item.Thumbprint] = $true }
    $store.Close()
    $request = Invoke-ExumRequestMethod -Step 'new'
    $key = $null
    $store = Open-ExumStore 'REQUEST' $false
    foreach ($item in $store.Certificates) {
        if (-not $before.ContainsKey($item.Thumbprint)) { $key = $item.Thumbprint }
    }
    $store.Close()
    if ($null -eq $key) { Stop-ExumOperation 'ExumPendingKeyNotFound' 'a request was made, but no new entry is in the machine''s REQUEST store.' }
    @{ 'request' = [string]$request; 'key' = $key }
}

function Test-ExumRecordMatches($Record) {
    # A record resumes only the same request: same CA, template, names and key length, and its key still there.
    if ($Record['Ca'] -ne $Ca -or $Record['Template'] -ne $Template -or $Record['KeyLength'] -ne [string]$KeyLength) { return $false }
    if ($Record['Names'] -ne [string]::Join(',', $Names)) { return $false }
    $store = Open-ExumStore 'REQUEST' $false
    $present = $null -ne (Find-ExumInStore $store $Record['KeyThumbprint'])
    $store.Close()
    $present
}

function Invoke-ExumPrepare {
    $store = Open-ExumStore 'My' $false
    $usable = $null
    $previous = $null
    $findings = New-Object System.Collections.ArrayList
    foreach ($item in $store.Certificates) {
        $covered = Get-ExumDnsNames $item
        if (-not (Test-ExumNameCovered $covered $Fqdn)) { continue }
        $problems = Get-ExumProblems $item $covered
        [void]$findings.Add(@{ 'thumbprint' = $item.Thumbprint; 'problems' = $problems })
        if ($problems.Count -eq 0) {
            if ($null -eq $usable -or $item.NotAfter -gt $usable.NotAfter) { $usable = $item }
        } elseif ($item.HasPrivateKey -and $null -ne (Get-ExumChain $item)['issuer']) {
            # The certificate a renewal replaces: one of this CA's for the FQDN, with its key.
            if ($null -eq $previous -or $item.NotAfter -gt $previous.NotAfter) { $previous = $item }
        }
    }
    $store.Close()
    $record = Get-ExumRecord
    $result = @{
        'action' = 'none'; 'usable' = $null; 'previous' = $null; 'findings' = $findings; 'request' = $null
        'key_thumbprint' = $null; 'request_id' = $null; 'resumed' = $false; 'san_attribute' = $legacy
        'discarded' = $false; 'record' = $record; 'fqdn' = $Fqdn; 'names' = $Names
    }
    if ($null -ne $usable) { $result['usable'] = ConvertTo-ExumCertificateEntry $usable }
    if ($null -ne $previous) { $result['previous'] = ConvertTo-ExumCertificateEntry $previous }
    if ($null -ne $usable -and -not $Force) {
        # Converged: a request still recorded for the FQDN is superseded (its key would be an orphan).
        if ($null -ne $record -and -not $CheckMode) { $result['discarded'] = Remove-ExumPending $record['KeyThumbprint'] }
        $result['My'] = Get-ExumStoreEntries 'My'
        return $result
    }
    if ($null -ne $record -and (Test-ExumRecordMatches $record)) {
        $result['action'] = 'resume'
        $result['resumed'] = $true
        $result['request'] = $record['Request']
        $result['key_thumbprint'] = $record['KeyThumbprint']
        if ($record['RequestId']) { $result['request_id'] = $record['RequestId'] }
        return $result
    }
    $result['action'] = 'request'
    if ($CheckMode) { return $result }
    if ($null -ne $record) { $result['discarded'] = Remove-ExumPending $record['KeyThumbprint'] }
    $made = New-ExumRequest
    New-ExumRecordKey
    Set-ExumRecordValue 'Ca' $Ca
    Set-ExumRecordValue 'Template' $Template
    Set-ExumRecordValue 'Names' ([string]::Join(',', $Names))
    Set-ExumRecordValue 'KeyLength' ([string]$KeyLength)
    Set-ExumRecordValue 'KeyThumbprint' $made['key']
    Set-ExumRecordValue 'Request' $made['request']
    Set-ExumRecordValue 'RequestId' ''
    Set-ExumRecordValue 'Created' (Format-ExumTime $now)
    $result['request'] = $made['request']
    $result['key_thumbprint'] = $made['key']
    $result['record'] = Get-ExumRecord
    $result
}

function Invoke-ExumRecord {
    if (-not (Test-Path -Path $recordPath)) { Stop-ExumOperation 'ExumRecordNotFound' ('no pending request is recorded for ' + $Fqdn + '.') }
    Set-ExumRecordValue 'RequestId' $RequestId
    @{ 'record' = (Get-ExumRecord) }
}

function Invoke-ExumInstall {
    $issued = New-Object "$x509.X509Certificate2"
    $issued.Import([Convert]::FromBase64String($Certificate))
    # The chain is checked before anything changes: a certificate this host cannot trust is not installed, and the
    # pending key and record stay for a later run (after root_trust).
    $chain = Get-ExumChain $issued
    if (-not $chain['built']) {
        return @{ 'installed' = $false; 'chain' = $chain; 'thumbprint' = $issued.Thumbprint }
    }
    Invoke-ExumRequestMethod -Step 'accept'
    $store = Open-ExumStore 'My' $true
    $item = Find-ExumInStore $store $issued.Thumbprint
    if ($null -eq $item) {
        $store.Close()
        Stop-ExumOperation 'ExumNotInstalled' ('certreq -accept succeeded, but ' + $issued.Thumbprint + ' is not in LocalMachine\My.')
    }
    if (-not $item.HasPrivateKey) {
        # Not paired with the pending key: a certificate without its key is of no use to Exchange, and is taken out.
        $store.Remove($item)
        $store.Close()
        Stop-ExumOperation 'ExumKeyNotPaired' ('certreq -accept put ' + $issued.Thumbprint + ' into LocalMachine\My without its private key; the pending key of the request was not found, so the certificate was removed again.')
    }
    if ($FriendlyName) { $item.FriendlyName = $FriendlyName }
    $store.Close()
    $removed = Remove-ExumRecord
    @{ 'installed' = $true; 'chain' = $chain; 'thumbprint' = $issued.Thumbprint; 'record_removed' = $removed; 'My' = (Get-ExumStoreEntries 'My') }
}

function Invoke-ExumRemove {
    $store = Open-ExumStore 'My' (-not $CheckMode)
    $removed = New-Object System.Collections.ArrayList
    foreach ($thumbprint in $Remove) {
        $item = Find-ExumInStore $store $thumbprint
        if ($null -eq $item) { continue }
        if (-not $CheckMode) { $store.Remove($item) }
        [void]$removed.Add($thumbprint)
    }
    $store.Close()
    $record = Get-ExumRecord
    $discarded = $false
    if ($null -ne $record -and -not $CheckMode) { $discarded = Remove-ExumPending $record['KeyThumbprint'] }
    @{ 'removed' = $removed; 'record' = $record; 'discarded' = $discarded; 'My' = (Get-ExumStoreEntries 'My') }
}

if ($Step -eq 'prepare') {
    Invoke-ExumPrepare
} elseif ($Step -eq 'record') {
    Invoke-ExumRecord
} elseif ($Step -eq 'install') {
    Invoke-ExumInstall
} elseif ($Step -eq 'discard') {
    $record = Get-ExumRecord
    $key = ''
    if ($null -ne $record) { $key = $record['KeyThumbprint'] }
    @{ 'discarded' = (Remove-ExumPending $key); 'record' = $record }
} elseif ($Step -eq 'remove') {
    Invoke-ExumRemove
} else {
    Stop-ExumOperation 'ExumStepNotValid' ('unknown step ' + $Step)
}
