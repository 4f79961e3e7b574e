# operation: service_binding.2010
# language: 2.0
# exchange: 2010
#
# service_binding's steps on Exchange 2010 (wrapped by the controller as Invoke-ExumBindingStep). host-facts.md:
# Set-UMServer -Identity <server> -UMStartupMode TCP|TLS|Dual; Enable-ExchangeCertificate -Thumbprint -Services UM
# -Server binds UM only while the startup mode is TLS or Dual, and switching back to TCP clears the recorded
# certificate; restart MSExchangeUM after a change. The certificate UM uses is the one whose Services include UM
# in Get-ExchangeCertificate (as exchange_info reads it). Draining: Get-UMActiveCalls -Server, Disable-UMServer
# -Immediate $false (calls in progress finish, no new ones are taken) and Enable-UMServer afterwards.
param([string] $Step, $Request)

$server = $env:COMPUTERNAME

function Read-ExumBinding {
    $thumbprint = $null
    foreach ($certificate in @(Get-ExchangeCertificate -Server $server)) {
        foreach ($service in ([string]$certificate.Services).Split(',')) {
            if ($service.Trim() -eq 'UM') { $thumbprint = $certificate.Thumbprint }
        }
    }
    $umServer = Get-UMServer -Identity $server
    @{
        'um' = @{ 'startup_mode' = [string]$umServer.UMStartupMode; 'thumbprint' = $thumbprint }
        'call_router' = $null
        'event' = $null
    }
}

if ($Step -eq 'read' -or $Step -eq 'settled') { return (Read-ExumBinding) }
if ($Step -eq 'bind') {
    $um = $Request['um']
    $current = Get-UMServer -Identity $server
    if ([string]$current.UMStartupMode -ne $um['startup_mode']) {
        Set-UMServer -Identity $server -UMStartupMode $um['startup_mode']
    }
    if ($um['startup_mode'] -ne 'TCP' -and $um['thumbprint']) {
        Enable-ExchangeCertificate -Server $server -Thumbprint $um['thumbprint'] -Services 'UM' -Force
    }
    return $null
}
if ($Step -eq 'calls') { return @(Get-UMActiveCalls -Server $server).Length }
if ($Step -eq 'drain') { return (Disable-UMServer -Identity $server -Immediate $false) }
if ($Step -eq 'undrain') { return (Enable-UMServer -Identity $server) }
Stop-ExumOperation 'ExumStepNotKnown' ('service_binding has no step ' + $Step)
