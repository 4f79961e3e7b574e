# operation: exchange_info.none
# language: 1.0
# exchange: none
#
# Exchange part of exchange_info for a host whose Exchange version is not known (or that has none): no Exchange
# cmdlet is called, so the payload runs on any Windows host. The controller wraps this as Get-ExumExchangeState.
param($Install)

$null
