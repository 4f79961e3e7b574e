# operation: service_binding.2013
# language: 2.0
# exchange: 2013
#
# service_binding's steps on Exchange 2013 (wrapped by the controller as Invoke-ExumBindingStep). host-facts.md:
# UM and the UM Call Router each have a startup mode, Set-UMService -Identity <server> -UMStartupMode and
# Set-UMCallRouterSettings -Server <server> -UMStartupMode (-Server, not -Identity), default TCP; Exchange refuses to
# bind UM or UMCallRouter while the mode is TCP; Enable-ExchangeCertificate -Services 'UM, UMCallRouter'; restart
# MSExchangeUM and MSExchangeUMCR. Draining: Get-UMActiveCalls -Server, and Set-ServerComponentState -Component
# UMCallRouter -State Draining -Requester Maintenance (Disable-UMService targets only 2010 servers), Active again
# afterwards.
param([string] $Step, $Request)

$server = $env:COMPUTERNAME
$names = @{ 'um' = 'UM'; 'call_router' = 'UMCallRouter' }

function Read-ExumBinding {
    $found = @{ 'um' = $null; 'call_router' = $null }
    foreach ($certificate in @(Get-ExchangeCertificate -Server $server)) {
        foreach ($service in ([string]$certificate.Services).Split(',')) {
            if ($service.Trim() -eq 'UM') { $found['um'] = $certificate.Thumbprint }
            if ($service.Trim() -eq 'UMCallRouter') { $found['call_router'] = $certificate.Thumbprint }
        }
    }
    $umService = Get-UMService -Identity $server
    $router = Get-UMCallRouterSettings -Server $server
    @{
        'um' = @{ 'startup_mode' = [string]$umService.UMStartupMode; 'thumbprint' = $found['um'] }
        'call_router' = @{ 'startup_mode' = [string]$router.UMStartupMode; 'thumbprint' = $found['call_router'] }
        'event' = $null
    }
}

function Set-ExumStartupModes($Wanted) {
    $current = Read-ExumBinding
    if ([string]$current['um']['startup_mode'] -ne $Wanted['um']['startup_mode']) {
        Set-UMService -Identity $server -UMStartupMode $Wanted['um']['startup_mode']
    }
    if ([string]$current['call_router']['startup_mode'] -ne $Wanted['call_router']['startup_mode']) {
        Set-UMCallRouterSettings -Server $server -UMStartupMode $Wanted['call_router']['startup_mode']
    }
}

if ($Step -eq 'read' -or $Step -eq 'settled') { return (Read-ExumBinding) }
if ($Step -eq 'bind') {
    Set-ExumStartupModes $Request
    # One Enable-ExchangeCertificate for both services when they take the same certificate, else one each.
    $bindings = @{}
    foreach ($part in @('um', 'call_router')) {
        $wanted = $Request[$part]
        if ($wanted['startup_mode'] -eq 'TCP' -or -not $wanted['thumbprint']) { continue }
        $key = [string]$wanted['thumbprint']
        if ($bindings.ContainsKey($key)) { $bindings[$key] = $bindings[$key] + ', ' + $names[$part] }
        else { $bindings[$key] = $names[$part] }
    }
    foreach ($thumbprint in $bindings.Keys) {
        Enable-ExchangeCertificate -Server $server -Thumbprint $thumbprint -Services $bindings[$thumbprint] -Force
    }
    return $null
}
if ($Step -eq 'calls') { return @(Get-UMActiveCalls -Server $server).Length }
if ($Step -eq 'drain') {
    return (Set-ServerComponentState -Identity $server -Component 'UMCallRouter' -State 'Draining' -Requester 'Maintenance')
}
if ($Step -eq 'undrain') {
    return (Set-ServerComponentState -Identity $server -Component 'UMCallRouter' -State 'Active' -Requester 'Maintenance')
}
Stop-ExumOperation 'ExumStepNotKnown' ('service_binding has no step ' + $Step)
