# operation: service_binding
# language: 1.0
# exchange: none
# payload-functions: Invoke-ExumBindingStep
#
# Makes Unified Messaging use a certificate in one call (docs/service-binding.md): inspect, validate, drain, bind,
# restart, verify, and put the host back as it was when a service does not come back. What differs per Exchange
# version is the fragment service_binding.<version>.ps1, which the controller defines as Invoke-ExumBindingStep
# -Step <step> -Request <hashtable>: read (the binding now), bind (record certificates and startup modes), settled
# (the binding once the services run again), calls (active calls), drain and undrain. Failures after the first
# change come back as data ('failure', 'rollback_failure'), so the controller can state every outcome.
param(
    [string] $Thumbprint,
    [string] $StartupMode = 'keep',
    [string[]] $Services = @(),
    [bool] $Restart = $true,
    [int] $RestartTimeout = 300,
    [bool] $Drain = $false,
    [int] $DrainTimeout = 600,
    [bool] $Rollback = $true,
    [bool] $CheckMode = $false
)

function Get-ExumUmCertificateEvent {
    # host-facts.md "UM": UM names the certificate it took at service start in event 1112 of the source
    # "MSExchange Unified Messaging". Get-EventLog of PowerShell 1.0 has only -LogName and -Newest, so the newest
    # entries are filtered here; an empty log is Get-EventLog's error "No matches found", not an empty result.
    $events = @(Get-EventLog -LogName 'Application' -Newest 2000 -ErrorAction SilentlyContinue | Where-Object {
        $_.Source -eq 'MSExchange Unified Messaging' -and $_.EventID -eq 1112
    })
    if ($events.Length -eq 0) { return $null }
    $thumbprint = $null
    if ($events[0].Message -match '[0-9A-Fa-f]{40}') { $thumbprint = $matches[0].ToUpper() }
    @{
        'index' = $events[0].Index
        'time' = $events[0].TimeGenerated
        'thumbprint' = $thumbprint
        'message' = [string]$events[0].Message
    }
}

function Read-ExumEventBinding {
    # The binding on 2007 SP1, which has no binding cmdlet for UM: the certificate its last event 1112 names (the
    # service_binding.2007sp1*.ps1 fragments' read step).
    $event = Get-ExumUmCertificateEvent
    $thumbprint = $null
    if ($null -ne $event) { $thumbprint = $event['thumbprint'] }
    @{ 'um' = @{ 'startup_mode' = $null; 'thumbprint' = $thumbprint }; 'call_router' = $null; 'event' = $event }
}

function Wait-ExumCertificateEvent($Since, [int] $Timeout) {
    # The service logs 1112 when it has chosen its certificate at start: wait for one newer than before the restart.
    for ($second = 0; $second -le $Timeout; $second++) {
        $event = Get-ExumUmCertificateEvent
        if ($null -ne $event -and ($null -eq $Since -or $event['index'] -gt $Since)) { return (Read-ExumEventBinding) }
        if ($second -lt $Timeout) { Start-Sleep -Seconds 1 }
    }
    Stop-ExumOperation 'ExumNoCertificateEvent' ('MSExchangeUM runs, but logged no event 1112 within ' + $Timeout +
        ' s of its start: UM starts unsecured (without a certificate) when its dial plans are not secured (VoIPSecurity)')
}

function Get-ExumMyCertificates {
    # What UM may choose from: the computer's Personal store, read-only.
    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store 'My', 'LocalMachine'
    $store.Open([System.Security.Cryptography.X509Certificates.OpenFlags]::ReadOnly)
    $found = New-Object System.Collections.ArrayList
    foreach ($certificate in $store.Certificates) { [void]$found.Add($certificate) }
    $store.Close()
    , $found
}

function Assert-ExumCertificate($Certificates, [string] $Wanted) {
    # Checked before the first change: the certificate is in My, has its private key and is valid by the host's
    # clock (local time, as NotBefore and NotAfter are).
    $chosen = $null
    foreach ($certificate in $Certificates) { if ($certificate.Thumbprint -eq $Wanted) { $chosen = $certificate } }
    if ($null -eq $chosen) {
        Stop-ExumOperation 'ExumCertificateNotFound' ('the certificate ' + $Wanted + ' is not in LocalMachine\My')
    }
    $name = $chosen.Subject + ' (' + $chosen.Thumbprint + ')'
    if (-not $chosen.HasPrivateKey) {
        Stop-ExumOperation 'ExumNoPrivateKey' ($name + ' has no private key in LocalMachine\My')
    }
    $now = [DateTime]::Now
    $period = ' (valid ' + (Format-ExumTime $chosen.NotBefore) + ' to ' + (Format-ExumTime $chosen.NotAfter) +
        '; the host clock says ' + (Format-ExumTime $now) + ')'
    if ($now -lt $chosen.NotBefore) { Stop-ExumOperation 'ExumCertificateNotYetValid' ($name + ' is not yet valid' + $period) }
    if ($now -gt $chosen.NotAfter) { Stop-ExumOperation 'ExumCertificateExpired' ($name + ' has expired' + $period) }
}

function Get-ExumCertificateSummary($Certificates) {
    # For the controller's explanation of UM's own choice on 2007 SP1 (self-signed or CA-issued, dates).
    $summary = New-Object System.Collections.ArrayList
    foreach ($certificate in $Certificates) {
        [void]$summary.Add(@{
            'thumbprint' = $certificate.Thumbprint
            'subject' = $certificate.Subject
            'issuer' = $certificate.Issuer
            'not_before' = $certificate.NotBefore
            'not_after' = $certificate.NotAfter
            'has_private_key' = $certificate.HasPrivateKey
        })
    }
    , $summary
}

function Get-ExumWantedMode([string] $Current, [string] $Asked) {
    # 2007 SP1 has no startup mode (empty); a TCP-only server moves to the mode asked, Dual when asked to keep.
    if ($Current.Length -eq 0) { return $null }
    if ($Asked -ne 'keep') { return $Asked }
    if ($Current -eq 'TCP') { return 'Dual' }
    $Current
}

function Test-ExumBound($State, $Wanted, [string] $Certificate) {
    foreach ($part in @('um', 'call_router')) {
        $binding = $State[$part]
        if ($null -eq $binding) { continue }
        if ([string]$binding['thumbprint'] -ne $Certificate) { return $false }
        if ($null -ne $Wanted[$part] -and [string]$binding['startup_mode'] -ne $Wanted[$part]) { return $false }
    }
    $true
}

function Get-ExumServiceStates([string[]] $Names) {
    $states = @{}
    foreach ($name in $Names) {
        $service = Get-Service -Name $name -ErrorAction SilentlyContinue
        if ($null -eq $service) { Stop-ExumOperation 'ExumServiceNotFound' ('the service ' + $name + ' does not exist') }
        $states[$name] = [string]$service.Status
    }
    $states
}

function Test-ExumAllRunning($States) {
    foreach ($status in $States.Values) { if ($status -ne 'Running') { return $false } }
    $true
}

function Invoke-ExumGuarded([string] $Step, $Request, $Failure) {
    # One fragment step whose terminating error is recorded in $Failure (message, fqid) instead of ending the
    # script, so that what was changed can be undone. PowerShell 1.0 has trap, not try/catch.
    trap {
        $Failure['message'] = [string]$_.Exception.Message
        $Failure['fqid'] = [string]$_.FullyQualifiedErrorId
        continue
    }
    Invoke-ExumBindingStep -Step $Step -Request $Request
}

function Invoke-ExumServiceControl($Service, [string] $Action, $Failure) {
    trap {
        $Failure['message'] = [string]$_.Exception.Message
        continue
    }
    if ($Action -eq 'Stop') { $Service.Stop() } else { $Service.Start() }
}

function Wait-ExumServiceStatus([string] $Name, [string] $Action, [int] $Timeout) {
    # ServiceController.Start() and Stop() return once the service control manager has the request; the service
    # then reports StartPending and Running (or stops again when it fails to start), or StopPending and Stopped.
    # Start-Service and Stop-Service would wait without a limit, so the status is polled once a second.
    $wanted = 'Running'
    if ($Action -eq 'Stop') { $wanted = 'Stopped' }
    $service = Get-Service -Name $Name
    if ([string]$service.Status -eq $wanted) { return @{ 'name' = $Name; 'status' = $wanted; 'message' = $null } }
    $failure = @{}
    Invoke-ExumServiceControl $service $Action $failure
    if ($failure.Count -gt 0) {
        $service.Refresh()
        return @{ 'name' = $Name; 'status' = [string]$service.Status; 'message' = $failure['message'] }
    }
    for ($second = 0; $second -le $Timeout; $second++) {
        $service.Refresh()
        $status = [string]$service.Status
        if ($status -eq $wanted) { return @{ 'name' = $Name; 'status' = $status; 'message' = $null } }
        if ($Action -eq 'Start' -and $status -eq 'Stopped') {
            return @{ 'name' = $Name; 'status' = $status; 'message' = 'it stopped again while starting' }
        }
        if ($second -lt $Timeout) { Start-Sleep -Seconds 1 }
    }
    @{ 'name' = $Name; 'status' = $status; 'message' = ('it was still ' + $status + ' after ' + $Timeout + ' s') }
}

function Restart-ExumServices([string[]] $Names, [int] $Timeout) {
    # The Call Router (listed last) stops first and starts last, so no call is routed to a stopped UM service.
    # The first service that does not reach its state ends the restart: the caller rolls back.
    $steps = New-Object System.Collections.ArrayList
    for ($index = $Names.Length - 1; $index -ge 0; $index--) {
        $step = Wait-ExumServiceStatus $Names[$index] 'Stop' $Timeout
        [void]$steps.Add($step)
        if ($step['status'] -ne 'Stopped') { return , $steps }
    }
    foreach ($name in $Names) {
        $step = Wait-ExumServiceStatus $name 'Start' $Timeout
        [void]$steps.Add($step)
        if ($step['status'] -ne 'Running') { return , $steps }
    }
    , $steps
}

function Get-ExumFailedStep($Steps) {
    foreach ($step in $Steps) { if ($null -ne $step['message']) { return $step } }
    $null
}

function Get-ExumPreviousBinding($State) {
    $previous = @{}
    foreach ($part in @('um', 'call_router')) {
        if ($null -eq $State[$part]) { $previous[$part] = $null; continue }
        $previous[$part] = @{
            'thumbprint' = $State[$part]['thumbprint']
            'startup_mode' = $State[$part]['startup_mode']
        }
    }
    $previous
}

function Undo-ExumDrain($Drained, $Result) {
    if (-not $Drained) { return }
    $failure = @{}
    Invoke-ExumGuarded 'undrain' @{} $failure
    if ($failure.Count -gt 0) { $Result['undrain_failure'] = $failure }
}

$certificates = Get-ExumMyCertificates
Assert-ExumCertificate $certificates $Thumbprint
$before = Invoke-ExumBindingStep -Step 'read' -Request @{}
$statesBefore = Get-ExumServiceStates $Services
$wanted = @{ 'um' = $null; 'call_router' = $null }
foreach ($part in @('um', 'call_router')) {
    if ($null -ne $before[$part]) { $wanted[$part] = Get-ExumWantedMode ([string]$before[$part]['startup_mode']) $StartupMode }
}
$bound = Test-ExumBound $before $wanted $Thumbprint
$running = Test-ExumAllRunning $statesBefore

$result = @{
    'changed' = $false
    'before' = $before
    'after' = $before
    'wanted' = $wanted
    'services_before' = $statesBefore
    'services_after' = $statesBefore
    'restarted' = @()
    'drained_calls' = 0
    'active_calls' = $null
    'rolled_back' = $false
    'failure' = $null
    'rollback_failure' = $null
    'undrain_failure' = $null
    'certificates' = (Get-ExumCertificateSummary $certificates)
}

$restartNeeded = $Restart -and ((-not $bound) -or (-not $running))
if (($bound -and $running) -or ($bound -and -not $Restart) -or $CheckMode) {
    $result['changed'] = (-not $bound) -or $restartNeeded
    return $result
}

$drained = $false
if ($Drain -and $restartNeeded -and $running) {
    $failure = @{}
    $calls = Invoke-ExumGuarded 'calls' @{} $failure
    if ($failure.Count -eq 0) { Invoke-ExumGuarded 'drain' @{} $failure }
    if ($failure.Count -gt 0) {
        $failure['stage'] = 'drain'
        $result['failure'] = $failure
        return $result
    }
    $drained = $true
    $result['changed'] = $true
    $result['drained_calls'] = [int]$calls
    # Calls in progress finish; new ones go elsewhere. Polled every 5 seconds up to the drain timeout.
    for ($waited = 0; $calls -gt 0 -and $waited -lt $DrainTimeout; $waited += 5) {
        Start-Sleep -Seconds 5
        $calls = Invoke-ExumGuarded 'calls' @{} $failure
        if ($failure.Count -gt 0) { break }
    }
    if ($failure.Count -gt 0 -or $calls -gt 0) {
        if ($failure.Count -eq 0) {
            $failure['message'] = [string]$calls + ' call(s) still active after ' + $DrainTimeout + ' s'
        }
        $failure['stage'] = 'drain'
        $result['failure'] = $failure
        $result['active_calls'] = [int]$calls
        Undo-ExumDrain $drained $result
        $result['after'] = Invoke-ExumBindingStep -Step 'read' -Request @{}
        return $result
    }
}

$previous = Get-ExumPreviousBinding $before
if (-not $bound) {
    $request = @{}
    foreach ($part in @('um', 'call_router')) {
        $request[$part] = $null
        if ($null -ne $before[$part]) {
            $request[$part] = @{ 'thumbprint' = $Thumbprint; 'startup_mode' = $wanted[$part] }
        }
    }
    $failure = @{}
    Invoke-ExumGuarded 'bind' $request $failure
    $result['changed'] = $true
    if ($failure.Count -gt 0) {
        $failure['stage'] = 'bind'
        $result['failure'] = $failure
        if ($Rollback) {
            $undo = @{}
            Invoke-ExumGuarded 'bind' $previous $undo
            if ($undo.Count -gt 0) { $undo['stage'] = 'bind'; $result['rollback_failure'] = $undo }
            else { $result['rolled_back'] = $true }
        }
        Undo-ExumDrain $drained $result
        $result['after'] = Invoke-ExumBindingStep -Step 'read' -Request @{}
        $result['services_after'] = Get-ExumServiceStates $Services
        return $result
    }
}

if ($restartNeeded) {
    $result['changed'] = $true
    $steps = Restart-ExumServices $Services $RestartTimeout
    $failed = Get-ExumFailedStep $steps
    $restarted = New-Object System.Collections.ArrayList
    foreach ($step in $steps) { if ($step['status'] -eq 'Running') { [void]$restarted.Add($step['name']) } }
    $result['restarted'] = $restarted
    if ($null -eq $failed) {
        $since = $null
        if ($null -ne $before['event']) { $since = $before['event']['index'] }
        $failure = @{}
        $settled = Invoke-ExumGuarded 'settled' @{ 'since' = $since; 'timeout' = $RestartTimeout } $failure
        if ($failure.Count -gt 0) { $failure['stage'] = 'verify'; $result['failure'] = $failure }
        elseif (-not (Test-ExumBound $settled $wanted $Thumbprint)) {
            $result['failure'] = @{ 'stage' = 'verify'; 'message' = 'the services run with another binding' }
        }
    } else {
        $result['failure'] = @{ 'stage' = 'restart'; 'service' = $failed['name']; 'status' = $failed['status']
            'message' = $failed['message'] }
        if ($Rollback) {
            $undo = @{}
            if (-not $bound) { Invoke-ExumGuarded 'bind' $previous $undo }
            if ($undo.Count -gt 0) { $undo['stage'] = 'bind'; $result['rollback_failure'] = $undo }
            else {
                $again = Restart-ExumServices $Services $RestartTimeout
                $stuck = Get-ExumFailedStep $again
                if ($null -eq $stuck) { $result['rolled_back'] = $true }
                else {
                    $result['rollback_failure'] = @{ 'stage' = 'restart'; 'service' = $stuck['name']
                        'status' = $stuck['status']; 'message' = $stuck['message'] }
                }
            }
        }
    }
}

Undo-ExumDrain $drained $result
$result['after'] = Invoke-ExumBindingStep -Step 'read' -Request @{}
$result['services_after'] = Get-ExumServiceStates $Services
$result
