# operation: service_binding.2007sp1drain
# language: 1.0
# exchange: 2007
# payload-functions: Read-ExumEventBinding, Wait-ExumCertificateEvent
#
# service_binding's steps on Exchange 2007 SP1 with draining (wrapped by the controller as Invoke-ExumBindingStep):
# as service_binding.2007sp1.ps1, plus the drain steps, the only ones here that need the snap-in (host-facts.md
# "Draining UM"): Get-UMActiveCalls -Server, Disable-UMServer -Immediate $false (calls in progress finish, no new
# ones are taken) and Enable-UMServer afterwards.
param([string] $Step, $Request)

$server = $env:COMPUTERNAME

if ($Step -eq 'read') { return (Read-ExumEventBinding) }
if ($Step -eq 'settled') { return (Wait-ExumCertificateEvent $Request['since'] $Request['timeout']) }
if ($Step -eq 'bind') { return $null }
if ($Step -eq 'calls') { return @(Get-UMActiveCalls -Server $server).Length }
if ($Step -eq 'drain') { return (Disable-UMServer -Identity $server -Immediate $false) }
if ($Step -eq 'undrain') { return (Enable-UMServer -Identity $server) }
Stop-ExumOperation 'ExumStepNotKnown' ('service_binding has no step ' + $Step)
