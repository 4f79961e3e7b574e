# operation: service_binding.2007sp1
# language: 1.0
# exchange: none
# payload-functions: Get-ExumUmCertificateEvent
#
# service_binding's steps on Exchange 2007 SP1 without draining (wrapped by the controller as
# Invoke-ExumBindingStep), with no Exchange cmdlet: 2007 SP1 has no startup mode and no binding cmdlet for UM
# (host-facts.md "UM"). Started secured, the service picks a certificate of LocalMachine\My itself (CA-issued before
# self-signed) and names it in event 1112; restarting MSExchangeUM is the binding. The drain steps live in
# service_binding.2007sp1drain.ps1, which loads the snap-in for them.
param([string] $Step, $Request)

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
Stop-ExumOperation 'ExumStepNotKnown' ('service_binding on Exchange 2007 SP1 without the snap-in has no step ' + $Step)
