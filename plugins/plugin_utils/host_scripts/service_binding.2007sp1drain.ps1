# operation: service_binding.2007sp1drain
# language: 1.0
# exchange: 2007
# payload-functions: Get-ExumUmCertificateEvent
#
# service_binding's steps on Exchange 2007 SP1 with draining (wrapped by the controller as Invoke-ExumBindingStep):
# as service_binding.2007sp1.ps1, plus the drain steps, the only ones here that need the snap-in (host-facts.md
# "Draining UM"): Get-UMActiveCalls -Server, Disable-UMServer -Immediate $false (calls in progress finish, no new
# ones are taken) and Enable-UMServer afterwards.
param([string] $Step, $Request)

$server = $env:COMPUTERNAME

function Read-ExumBinding {
    $event = Get-ExumUmCertificateEvent
    $thumbprint = $null
    if ($null -ne $event) { $thumbprint = $event['thumbprint'] }
    @{ 'um' = @{ 'startup_mode' = $null; 'thumbprint' = $thumbprint }; 'call_router' = $null; 'event' = $event }
}

function Wait-ExumCertificateEvent($Since, [int] $Timeout) {
    # The service logs 1112 when it has chosen its certificate at start: wait for one newer than before the restart.
    for ($second = 0; $second -le $Timeout; $second++) {
        $event = Get-ExumUmCertificateEvent
        if ($null -ne $event -and ($null -eq $Since -or $event['index'] -gt $Since)) { return (Read-ExumBinding) }
        if ($second -lt $Timeout) { Start-Sleep -Seconds 1 }
    }
    Stop-ExumOperation 'ExumNoCertificateEvent' ('MSExchangeUM runs, but logged no event 1112 within ' + $Timeout +
        ' s of its start: UM starts unsecured (without a certificate) when its dial plans are not secured (VoIPSecurity)')
}

if ($Step -eq 'read') { return (Read-ExumBinding) }
if ($Step -eq 'settled') { return (Wait-ExumCertificateEvent $Request['since'] $Request['timeout']) }
if ($Step -eq 'bind') { return $null }
if ($Step -eq 'calls') { return @(Get-UMActiveCalls -Server $server).Length }
if ($Step -eq 'drain') { return (Disable-UMServer -Identity $server -Immediate $false) }
if ($Step -eq 'undrain') { return (Enable-UMServer -Identity $server) }
Stop-ExumOperation 'ExumStepNotKnown' ('service_binding has no step ' + $Step)
