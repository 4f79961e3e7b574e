# operation: exchange_info.2007sp1
# language: 1.0
# exchange: 2007
#
# Exchange part of exchange_info on Exchange 2007 SP1 (wrapped by the controller as Get-ExumExchangeState).
# host-facts.md: 2007 Get-ExchangeCertificate takes no -Server; UM has no startup-mode setting and logs the
# certificate it took at service start as event 1112 (source "MSExchange Unified Messaging").
param($Install)

$certificates = New-Object System.Collections.ArrayList
foreach ($certificate in @(Get-ExchangeCertificate)) {
    [void]$certificates.Add(@{
        'thumbprint' = $certificate.Thumbprint
        'services' = [string]$certificate.Services
        'status' = [string]$certificate.Status
    })
}

$um = $null
if ($Install['um_role']) {
    # Get-EventLog on PowerShell 1.0 has only -LogName and -Newest: filter the newest entries here.
    $thumbprint = $null
    $eventTime = $null
    $events = @(Get-EventLog -LogName 'Application' -Newest 2000 | Where-Object {
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

@{ 'um' = $um; 'certificates' = $certificates }
