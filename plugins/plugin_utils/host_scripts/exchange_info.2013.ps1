# operation: exchange_info.2013
# language: 2.0
# exchange: 2013
#
# Exchange part of exchange_info on Exchange 2013 (wrapped by the controller as Get-ExumExchangeState).
# host-facts.md: Get-UMService -Identity / Get-UMCallRouterSettings -Server (no -Identity) carry UMStartupMode;
# Get-ExchangeCertificate Services name UM and UMCallRouter for the bound certificates.
param($Install)

$server = $env:COMPUTERNAME
$certificates = New-Object System.Collections.ArrayList
$umThumbprint = $null
$routerThumbprint = $null
foreach ($certificate in @(Get-ExchangeCertificate -Server $server)) {
    $services = [string]$certificate.Services
    [void]$certificates.Add(@{
        'thumbprint' = $certificate.Thumbprint
        'services' = $services
        'status' = [string]$certificate.Status
    })
    foreach ($service in $services.Split(',')) {
        if ($service.Trim() -eq 'UM') { $umThumbprint = $certificate.Thumbprint }
        if ($service.Trim() -eq 'UMCallRouter') { $routerThumbprint = $certificate.Thumbprint }
    }
}

$um = $null
if ($Install['um_role']) {
    $umService = Get-UMService -Identity $server
    $router = Get-UMCallRouterSettings -Server $server
    $um = @{
        'startup_mode' = [string]$umService.UMStartupMode
        'certificate_thumbprint' = $umThumbprint
        'call_router' = @{
            'startup_mode' = [string]$router.UMStartupMode
            'certificate_thumbprint' = $routerThumbprint
        }
    }
}

@{ 'um' = $um; 'certificates' = $certificates }
