# operation: exchange_info.2007sp1
# language: 1.0
# exchange: none
#
# Exchange part of exchange_info on Exchange 2007 SP1 (wrapped by the controller as Get-ExumExchangeState), read
# without any Exchange cmdlet: 2007's management cmdlets reach Active Directory with the caller's rights, which the
# WinRM logon of these hosts cannot lend onward (host-facts.md "Second hop to AD"; CredSSP needs WinRM 2.0, and the
# Windows versions 2007 SP1 runs on speak only TLS 1.0). Nothing here needs them: UM has no startup-mode setting and
# names the certificate it took at service start in event 1112 (source "MSExchange Unified Messaging"), and the
# certificates themselves are those of LocalMachine\My, which exchange_info reads from the store.
param($Install)

$um = $null
if ($Install['um_role']) {
    # Get-EventLog on PowerShell 1.0 has only -LogName and -Newest: filter the newest entries here. An empty log is
    # an error of Get-EventLog ("No matches found"), not an empty result.
    $thumbprint = $null
    $eventTime = $null
    $events = @(Get-EventLog -LogName 'Application' -Newest 2000 -ErrorAction SilentlyContinue | Where-Object {
        $_.Source -eq 'MSExchange Unified Messaging' -and $_.EventID -eq 1112
    })
    if ($events.Length -gt 0) {
        $eventTime = $events[0].TimeGenerated
        if ($events[0].Message -match '[0-9A-Fa-f]{40}') { $thumbprint = $matches[0].ToUpper() }
    }
    $um = @{
        'startup_mode' = $null
        'certificate_thumbprint' = $thumbprint
        'certificate_event_time' = $eventTime
        'call_router' = $null
    }
}

@{ 'um' = $um; 'certificates' = @() }
