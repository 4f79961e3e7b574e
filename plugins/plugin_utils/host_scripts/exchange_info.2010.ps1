# operation: exchange_info.2010
# language: 2.0
# exchange: 2010
#
# Exchange part of exchange_info on Exchange 2010 (wrapped by the controller as Get-ExumExchangeState).
# host-facts.md: Set-UMServer -UMStartupMode TCP|TLS|Dual; the certificate UM uses is the one whose Services
# include UM in Get-ExchangeCertificate.
param($Install)

$server = $env:COMPUTERNAME
$certificates = New-Object System.Collections.ArrayList
$umThumbprint = $null
foreach ($certificate in @(Get-ExchangeCertificate -Server $server)) {
    $services = [string]$certificate.Services
    [void]$certificates.Add(@{
        'thumbprint' = $certificate.Thumbprint
        'services' = $services
        'status' = [string]$certificate.Status
    })
    foreach ($service in $services.Split(',')) {
        if ($service.Trim() -eq 'UM') { $umThumbprint = $certificate.Thumbprint }
    }
}

$um = $null
if ($Install['um_role']) {
    $umServer = Get-UMServer -Identity $server
    $um = @{
        'startup_mode' = [string]$umServer.UMStartupMode
        'certificate_thumbprint' = $umThumbprint
        'call_router' = $null
    }
}

@{ 'um' = $um; 'certificates' = $certificates }
