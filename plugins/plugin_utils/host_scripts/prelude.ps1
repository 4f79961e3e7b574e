# operation: prelude
# language: 1.0
# exchange: none
#
# Shared start of every payload (docs/architecture.md, "Host channel protocol"): a JSON writer built from PowerShell
# 1.0 language only (the JSON cmdlets arrive with 3.0), the result and error writers, and a trap that turns any
# terminating error into one result line. Output is ASCII only (every other character is a \u escape), so no
# console code page can change it.
param()

$ErrorActionPreference = 'Stop'
$ExumResultMarker = '@@EXUM_RESULT@@'
$ExumInvariant = [System.Globalization.CultureInfo]::InvariantCulture

# A character JSON output must escape: outside printable ASCII, or " or \. Case-sensitive matching (-cmatch), so no
# case folding can map a non-ASCII character into the allowed ranges.
$ExumJsonEscaped = '[^\x20\x21\x23-\x5B\x5D-\x7E]+'

function ConvertTo-ExumJsonString([string] $Text) {
    # Most values (names, thumbprints, base64 DER) need no escape: one regular expression test instead of a loop per
    # character, which PowerShell 1.0/2.0 run slowly. Otherwise the clean runs between escaped ones are copied whole.
    if ($Text -cnotmatch $ExumJsonEscaped) { return ('"' + $Text + '"') }
    $builder = New-Object System.Text.StringBuilder
    [void]$builder.Append('"')
    $start = 0
    foreach ($match in [regex]::Matches($Text, $ExumJsonEscaped)) {
        if ($match.Index -gt $start) { [void]$builder.Append($Text, $start, $match.Index - $start) }
        foreach ($character in $match.Value.ToCharArray()) {
            $code = [int]$character
            if ($code -eq 34) {
                [void]$builder.Append('\"')
            } elseif ($code -eq 92) {
                [void]$builder.Append('\\')
            } else {
                [void]$builder.Append('\u')
                [void]$builder.Append($code.ToString('x4', $ExumInvariant))
            }
        }
        $start = $match.Index + $match.Length
    }
    if ($start -lt $Text.Length) { [void]$builder.Append($Text, $start, $Text.Length - $start) }
    [void]$builder.Append('"')
    $builder.ToString()
}

function Join-ExumJson([string] $Open, $Parts, [string] $Close) {
    $Open + [string]::Join(',', [string[]]$Parts.ToArray()) + $Close
}

function Format-ExumTime([DateTime] $Time) {
    # A point in time as the results give it: UTC, ISO 8601, in the invariant culture.
    $Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $ExumInvariant)
}

function ConvertTo-ExumJson($Value) {
    if ($null -eq $Value) { return 'null' }
    if ($Value -is [string] -or $Value -is [char]) { return (ConvertTo-ExumJsonString ([string]$Value)) }
    if ($Value -is [bool]) {
        if ($Value) { return 'true' }
        return 'false'
    }
    if ($Value -is [DateTime]) { return (ConvertTo-ExumJsonString (Format-ExumTime $Value)) }
    if ($Value -is [byte] -or $Value -is [int16] -or $Value -is [int32] -or $Value -is [int64] -or
        $Value -is [uint16] -or $Value -is [uint32] -or $Value -is [uint64] -or $Value -is [sbyte] -or
        $Value -is [decimal]) {
        return $Value.ToString($ExumInvariant)
    }
    if ($Value -is [double] -or $Value -is [single]) {
        if ([double]::IsNaN($Value) -or [double]::IsInfinity($Value)) { return 'null' }
        return $Value.ToString('R', $ExumInvariant)
    }
    if ($Value -is [System.Enum]) { return (ConvertTo-ExumJsonString $Value.ToString()) }
    $parts = New-Object System.Collections.ArrayList
    if ($Value -is [System.Collections.IDictionary]) {
        foreach ($key in $Value.Keys) {
            $member = (ConvertTo-ExumJsonString ([string]$key)) + ':' + (ConvertTo-ExumJson $Value[$key])
            [void]$parts.Add($member)
        }
        return (Join-ExumJson '{' $parts '}')
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        foreach ($item in $Value) { [void]$parts.Add((ConvertTo-ExumJson $item)) }
        return (Join-ExumJson '[' $parts ']')
    }
    ConvertTo-ExumJsonString $Value.ToString()
}

function Write-ExumResult($Data) {
    # The operation's last output is its result; anything it wrote before is not part of the contract.
    if ($Data -is [array]) {
        if ($Data.Length -eq 0) { $Data = $null } else { $Data = $Data[$Data.Length - 1] }
    }
    Write-Output ($ExumResultMarker + '{"ok":true,"data":' + (ConvertTo-ExumJson $Data) + '}')
}

function Write-ExumError($Record) {
    $line = $null
    if ($null -ne $Record.InvocationInfo) { $line = $Record.InvocationInfo.ScriptLineNumber }
    $exceptionName = ''
    $message = [string]$Record
    if ($null -ne $Record.Exception) {
        $exceptionName = $Record.Exception.GetType().FullName
        $message = $Record.Exception.Message
    }
    $details = @{
        'message' = $message
        'fqid' = [string]$Record.FullyQualifiedErrorId
        'category' = [string]$Record.CategoryInfo.Category
        'line' = $line
        'exception' = $exceptionName
    }
    Write-Output ($ExumResultMarker + '{"ok":false,"error":' + (ConvertTo-ExumJson $details) + '}')
}

function Stop-ExumOperation([string] $ErrorId, [string] $Message) {
    # A refusal with its own FullyQualifiedErrorId, so the controller can tell it from a PowerShell failure.
    $exception = New-Object System.InvalidOperationException $Message
    $category = [System.Management.Automation.ErrorCategory]::InvalidArgument
    $record = New-Object System.Management.Automation.ErrorRecord $exception, $ErrorId, $category, $null
    throw $record
}

function Get-ExumExtension($Certificate, [string] $Oid) {
    # A certificate's extension by OID, or $null when it has none.
    foreach ($extension in $Certificate.Extensions) {
        if ($extension.Oid.Value -eq $Oid) { return $extension }
    }
    $null
}

function ConvertTo-ExumCertificateEntry($Certificate) {
    # A certificate as the exchange_um_host fact lists it in its stores (exchange_info reads them, certificate_request
    # reports what it installed in the same shape for the fact).
    @{
        'thumbprint' = $Certificate.Thumbprint
        'subject' = $Certificate.Subject
        'issuer' = $Certificate.Issuer
        'serial_number' = $Certificate.SerialNumber
        'not_before' = $Certificate.NotBefore
        'not_after' = $Certificate.NotAfter
        'has_private_key' = $Certificate.HasPrivateKey
        'friendly_name' = $Certificate.FriendlyName
        'der' = [Convert]::ToBase64String($Certificate.RawData)
    }
}

function ConvertFrom-ExumData([string] $Text) {
    # The operation's arguments travel beside this script (docs/host-channel.md "Arguments are data"): the bootstrap
    # leaves them in $exumData, one line per argument, "<Name> <kind> <base64 of UTF-8>...", kind s (string),
    # l (list of strings), b (boolean 1/0) or i (integer).
    $arguments = @{}
    foreach ($line in $Text.Split([char]10)) {
        $fields = $line.Split([char]32)
        if ($fields[0].Length -eq 0) { continue }
        $values = New-Object System.Collections.ArrayList
        for ($index = 2; $index -lt $fields.Length; $index++) {
            [void]$values.Add([System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($fields[$index])))
        }
        $kind = $fields[1]
        if ($kind -eq 's') {
            $arguments[$fields[0]] = [string]$values[0]
        } elseif ($kind -eq 'l') {
            $arguments[$fields[0]] = [string[]]$values.ToArray()
        } elseif ($kind -eq 'b') {
            $arguments[$fields[0]] = [string]$values[0] -eq '1'
        } elseif ($kind -eq 'i') {
            $arguments[$fields[0]] = [int]$values[0]
        } else {
            Stop-ExumOperation 'ExumDataNotValid' ('the argument ' + $fields[0] + ' has the unknown kind ' + $kind)
        }
    }
    $arguments
}

trap {
    Write-ExumError $_
    exit 1
}

$ExumArguments = ConvertFrom-ExumData ([string]$exumData)
