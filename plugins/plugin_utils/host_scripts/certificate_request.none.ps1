# operation: certificate_request.none
# language: 1.0
# exchange: none
# payload-functions: Remove-ExumFiles, New-ExumTempBase
#
# certificate_request's certreq method (wrapped by the controller as Invoke-ExumRequestMethod), the same on every
# Windows version of the matrix: certreq -new with an INF makes the key in the machine's key set and its REQUEST
# entry and writes the PKCS#10 request; certreq -accept pairs the issued certificate with that key into
# LocalMachine\My (host-facts.md "certreq / certutil"). The template is not in the INF: certreq's template lookup
# needs the directory, which the WinRM logon may not reach; the controller sends it with the submission.
# Step new returns the request's text; step accept installs $Certificate (base64 DER). Temporary files live in the
# logon's temp directory and are removed in every outcome.
param([string] $Step)

function Invoke-ExumCertreq($Arguments, $Files) {
    # certreq reports failure by its exit code (the HRESULT) and one line of text; the temporary files go in every
    # outcome, also when PowerShell itself stops (trap, then the outer trap reports the error).
    trap { Remove-ExumFiles $Files; break }
    $output = & certreq.exe $Arguments
    $code = $LASTEXITCODE
    if ($code -ne 0) {
        Remove-ExumFiles $Files
        $text = [string]::Join(' ', [string[]]@($output))
        Stop-ExumOperation 'ExumCertreqFailed' ('certreq ' + $Arguments[0] + ' failed with exit code ' + $code + ': ' + $text.Trim())
    }
}

function Get-ExumInf {
    $lines = New-Object System.Collections.ArrayList
    [void]$lines.Add('[NewRequest]')
    [void]$lines.Add('Subject = "CN=' + $Fqdn + '"')
    [void]$lines.Add('KeySpec = 1')
    [void]$lines.Add('KeyLength = ' + $KeyLength)
    if ($Exportable) { [void]$lines.Add('Exportable = TRUE') } else { [void]$lines.Add('Exportable = FALSE') }
    [void]$lines.Add('MachineKeySet = TRUE')
    # The SChannel CSP on every version: Exchange 2007-2013 read a certificate's key through CryptoAPI, so a CNG key
    # (2008's certreq default) is not used (docs/certificate-request.md).
    [void]$lines.Add('ProviderName = "Microsoft RSA SChannel Cryptographic Provider"')
    [void]$lines.Add('ProviderType = 12')
    [void]$lines.Add('RequestType = PKCS10')
    # The request's own signature: SHA-256 where certreq has the HashAlgorithm key (CertEnroll, 2008 and later);
    # Windows Server 2003's certreq signs with SHA-1, its only choice.
    if (-not $legacy) { [void]$lines.Add('HashAlgorithm = sha256') }
    $dns = New-Object System.Collections.ArrayList
    foreach ($name in $Names) { [void]$dns.Add('dns=' + $name) }
    if ($legacy) {
        [void]$lines.Add('[RequestAttributes]')
        [void]$lines.Add('SAN = "' + [string]::Join('&', [string[]]$dns.ToArray()) + '"')
    } else {
        [void]$lines.Add('[Extensions]')
        [void]$lines.Add('2.5.29.17 = "{text}"')
        foreach ($entry in $dns) { [void]$lines.Add('_continue_ = "' + $entry + '&"') }
    }
    [string]::Join([Environment]::NewLine, [string[]]$lines.ToArray())
}

function New-ExumCertreqRequest {
    $base = New-ExumTempBase
    $infPath = $base + '.inf'
    $requestPath = $base + '.req'
    $files = @($infPath, $requestPath)
    trap { Remove-ExumFiles $files; break }
    Set-Content -Path $infPath -Value (Get-ExumInf)
    $arguments = @('-new', '-q')
    if (-not $legacy) { $arguments += '-machine' }
    Invoke-ExumCertreq ($arguments + @($infPath, $requestPath)) $files
    $request = [string]::Join([string][char]10, [string[]]@(Get-Content -Path $requestPath))
    Remove-ExumFiles $files
    $request
}

function Install-ExumCertreqResponse {
    $path = (New-ExumTempBase) + '.cer'
    $files = @($path)
    trap { Remove-ExumFiles $files; break }
    Set-Content -Path $path -Value ('-----BEGIN CERTIFICATE-----' + [Environment]::NewLine + $Certificate + [Environment]::NewLine + '-----END CERTIFICATE-----')
    $arguments = @('-accept', '-q')
    if (-not $legacy) { $arguments += '-machine' }
    Invoke-ExumCertreq ($arguments + @($path)) $files
    Remove-ExumFiles $files
}

if ($Step -eq 'new') { New-ExumCertreqRequest } else { Install-ExumCertreqResponse }
