# operation: service_binding.2007sp1
# language: 1.0
# exchange: none
# payload-functions: Read-ExumEventBinding, Wait-ExumCertificateEvent
#
# service_binding's steps on Exchange 2007 SP1 without draining (wrapped by the controller as
# Invoke-ExumBindingStep), with no Exchange cmdlet: 2007 SP1 has no startup mode and no binding cmdlet for UM
# (host-facts.md "UM"). Started secured, the service picks a certificate of LocalMachine\My itself (CA-issued before
# self-signed) and names it in event 1112; restarting MSExchangeUM is the binding (reading and waiting for that
# event: service_binding.ps1). The drain steps live in service_binding.2007sp1drain.ps1, which loads the snap-in for
# them.
param([string] $Step, $Request)

if ($Step -eq 'read') { return (Read-ExumEventBinding) }
if ($Step -eq 'settled') { return (Wait-ExumCertificateEvent $Request['since'] $Request['timeout']) }
if ($Step -eq 'bind') { return $null }
Stop-ExumOperation 'ExumStepNotKnown' ('service_binding on Exchange 2007 SP1 without the snap-in has no step ' + $Step)
