# operation: exchange_info
# language: 1.0
# exchange: none
# payload-functions: Get-ExumExchangeState
#
# Read-only snapshot of the host (docs/architecture.md, "Operation results"). Windows facts come from WMI, the
# registry and .NET X509Store; the Exchange part comes from Get-ExumExchangeState, which the controller defines from
# the fragment of the host's Exchange version (exchange_info.<version>.ps1, or exchange_info.none.ps1).
param([string[]] $Services = @())

function Get-ExumRegistryValue([string] $Path, [string] $Name) {
    if (-not (Test-Path -Path $Path)) { return $null }
    $item = Get-ItemProperty -Path $Path -ErrorAction SilentlyContinue
    if ($null -eq $item) { return $null }
    $item.$Name
}

function Get-ExumExchangeInstall {
    # host-facts.md "Detecting the installation": v15 / v14 Setup keys; 2007 has role keys under Exchange\v8.0 and
    # its Setup key at Exchange\Setup or Exchange\v8.0\Setup with MsiProductMajor 8 (Exchange 2003 also has
    # Exchange\Setup, so the major version is required).
    $candidates = @(
        @('HKLM:\SOFTWARE\Microsoft\ExchangeServer\v15', 'HKLM:\SOFTWARE\Microsoft\ExchangeServer\v15\Setup', 15),
        @('HKLM:\SOFTWARE\Microsoft\ExchangeServer\v14', 'HKLM:\SOFTWARE\Microsoft\ExchangeServer\v14\Setup', 14),
        @('HKLM:\SOFTWARE\Microsoft\Exchange\v8.0', 'HKLM:\SOFTWARE\Microsoft\Exchange\v8.0\Setup', 8),
        @('HKLM:\SOFTWARE\Microsoft\Exchange\v8.0', 'HKLM:\SOFTWARE\Microsoft\Exchange\Setup', 8)
    )
    foreach ($candidate in $candidates) {
        $major = Get-ExumRegistryValue $candidate[1] 'MsiProductMajor'
        if ($null -eq $major -or [int]$major -ne $candidate[2]) { continue }
        $minor = [int](Get-ExumRegistryValue $candidate[1] 'MsiProductMinor')
        $buildMajor = [int](Get-ExumRegistryValue $candidate[1] 'MsiBuildMajor')
        $buildMinor = [int](Get-ExumRegistryValue $candidate[1] 'MsiBuildMinor')
        $version = $null
        if ($candidate[2] -eq 15 -and $minor -eq 0) { $version = '2013' }
        if ($candidate[2] -eq 14) { $version = '2010' }
        if ($candidate[2] -eq 8 -and $minor -ge 1) { $version = '2007sp1' }
        return @{
            'installed' = $true
            'version' = $version
            'build' = [string]::Format('{0}.{1}.{2}.{3}', $major, $minor, $buildMajor, $buildMinor)
            'um_role' = (Test-Path -Path ($candidate[0] + '\UnifiedMessagingRole'))
            'install_path' = [string](Get-ExumRegistryValue $candidate[1] 'MsiInstallPath')
        }
    }
    @{ 'installed' = $false; 'version' = $null; 'build' = $null; 'um_role' = $false; 'install_path' = $null }
}

function Get-ExumStoreCertificates([string] $Name) {
    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store $Name, 'LocalMachine'
    $store.Open([System.Security.Cryptography.X509Certificates.OpenFlags]::ReadOnly)
    $entries = New-Object System.Collections.ArrayList
    foreach ($certificate in $store.Certificates) { [void]$entries.Add((ConvertTo-ExumCertificateEntry $certificate)) }
    $store.Close()
    , $entries
}

function Get-ExumServiceStates([string[]] $Names) {
    # Get-Service has no start mode before PowerShell 5; the service's registry Start value has it on every version.
    $modes = @{ 2 = 'Auto'; 3 = 'Manual'; 4 = 'Disabled' }
    $states = New-Object System.Collections.ArrayList
    foreach ($name in $Names) {
        $service = Get-Service -Name $name -ErrorAction SilentlyContinue
        if ($null -eq $service) { continue }
        $start = Get-ExumRegistryValue ('HKLM:\SYSTEM\CurrentControlSet\Services\' + $name) 'Start'
        $mode = $null
        if ($null -ne $start) { $mode = $modes[[int]$start] }
        [void]$states.Add(@{
            'name' = $service.Name
            'display_name' = $service.DisplayName
            'status' = [string]$service.Status
            'start_mode' = $mode
        })
    }
    , $states
}

$computer = Get-WmiObject -Class Win32_ComputerSystem
$system = Get-WmiObject -Class Win32_OperatingSystem
$hostName = $computer.DNSHostName
if (-not $hostName) { $hostName = $env:COMPUTERNAME }
$fqdn = $hostName.ToLower()
if ($computer.PartOfDomain -and $computer.Domain) { $fqdn = ($hostName + '.' + $computer.Domain).ToLower() }

# $PSVersionTable exists from PowerShell 2.0; its absence means 1.0.
$powershellVersion = '1.0'
$versionTable = Get-Variable -Name 'PSVersionTable' -ErrorAction SilentlyContinue
if ($null -ne $versionTable) { $powershellVersion = $versionTable.Value.PSVersion.ToString() }

function Get-ExumExchangePart($Install, $Failure) {
    # Exchange's cmdlets reach Active Directory with the caller's rights, which a WinRM logon without network
    # credentials (NTLM, Basic) cannot lend onward (host-facts.md "Second hop to AD"). Their failure is reported in
    # $Failure and the rest of the snapshot, which needs no directory, is still returned.
    trap {
        $Failure['message'] = [string]$_.Exception.Message
        $Failure['fqid'] = [string]$_.FullyQualifiedErrorId
        continue
    }
    Get-ExumExchangeState -Install $Install
}

$exchange = Get-ExumExchangeInstall
$exchangeFailure = @{}
$state = Get-ExumExchangePart $exchange $exchangeFailure
$exchangeError = $null
if ($exchangeFailure.Count -gt 0) { $exchangeError = $exchangeFailure }
$um = $null
$exchangeCertificates = @()
if ($null -ne $state) {
    $um = $state['um']
    $exchangeCertificates = $state['certificates']
}

$pending = New-Object System.Collections.ArrayList
foreach ($request in (Get-ExumStoreCertificates 'REQUEST')) {
    [void]$pending.Add(@{
        'subject' = $request['subject']
        'thumbprint' = $request['thumbprint']
        'not_before' = $request['not_before']
    })
}

# certificate_request's records of pending requests: the collection's own key, one subkey per FQDN
# (docs/certificate-request.md "The pending record"); the request itself is not copied into the snapshot.
$records = New-Object System.Collections.ArrayList
$recordRoot = 'HKLM:\SOFTWARE\exchange_um\certificates\Requests'
if (Test-Path -Path $recordRoot) {
    foreach ($key in @(Get-ChildItem -Path $recordRoot)) {
        $item = Get-ItemProperty -Path ($recordRoot + '\' + $key.PSChildName)
        $requestId = $null
        if ([string]$item.RequestId -match '^[0-9]+$') { $requestId = [int]$item.RequestId }
        $names = @()
        if ($item.Names) { $names = ([string]$item.Names).Split(',') }
        [void]$records.Add(@{
            'fqdn' = $key.PSChildName
            'request_id' = $requestId
            'ca' = [string]$item.Ca
            'template' = [string]$item.Template
            'names' = $names
            'key_thumbprint' = [string]$item.KeyThumbprint
            'created' = [string]$item.Created
        })
    }
}

@{
    'computer_name' = $env:COMPUTERNAME
    'fqdn' = $fqdn
    'os' = @{ 'caption' = [string]$system.Caption; 'version' = [string]$system.Version }
    'powershell_version' = $powershellVersion
    'exchange' = $exchange
    'um' = $um
    'exchange_certificates' = $exchangeCertificates
    'exchange_error' = $exchangeError
    'services' = (Get-ExumServiceStates $Services)
    'stores' = @{
        'My' = (Get-ExumStoreCertificates 'My')
        'Root' = (Get-ExumStoreCertificates 'Root')
        'CA' = (Get-ExumStoreCertificates 'CA')
    }
    'pending_requests' = $pending
    'request_records' = $records
}
