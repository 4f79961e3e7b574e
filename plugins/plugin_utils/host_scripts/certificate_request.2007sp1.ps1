# operation: certificate_request.2007sp1
# language: 1.0
# exchange: 2007
# payload-functions: Remove-ExumFiles, New-ExumTempBase
#
# certificate_request's exchange method on Exchange 2007 SP1 (wrapped by the controller as Invoke-ExumRequestMethod),
# with 2007 SP1's parameters (host-facts.md "Certificate cmdlets by Exchange version"): New-ExchangeCertificate
# -GenerateRequest writes the request to -Path (no -RequestFile, no output), -SubjectName, -DomainName, -KeySize,
# -PrivateKeyExportable; Import-ExchangeCertificate -Path (no -FileData) pairs the issued certificate with the
# pending key. The cmdlets read Active Directory with the logon's rights (host-facts.md "Second hop to AD").
param([string] $Step)

function New-ExumExchangeRequest {
    $path = (New-ExumTempBase) + '.req'
    $files = @($path)
    trap { Remove-ExumFiles $files; break }
    [void](New-ExchangeCertificate -GenerateRequest -Path $path -SubjectName ('cn=' + $Fqdn) -DomainName $Names -KeySize $KeyLength -PrivateKeyExportable $Exportable -ErrorAction Stop)
    $request = [string]::Join([string][char]10, [string[]]@(Get-Content -Path $path))
    Remove-ExumFiles $files
    $request
}

function Install-ExumExchangeResponse {
    $path = (New-ExumTempBase) + '.cer'
    $files = @($path)
    trap { Remove-ExumFiles $files; break }
    Set-Content -Path $path -Value ('-----BEGIN CERTIFICATE-----' + [Environment]::NewLine + $Certificate + [Environment]::NewLine + '-----END CERTIFICATE-----')
    [void](Import-ExchangeCertificate -Path $path -ErrorAction Stop)
    Remove-ExumFiles $files
}

if ($Step -eq 'new') { New-ExumExchangeRequest } else { Install-ExumExchangeResponse }
