# operation: certificate_request.2010
# language: 2.0
# exchange: 2010
#
# certificate_request's exchange method on Exchange 2010 (wrapped by the controller as Invoke-ExumRequestMethod),
# with 2010's parameters (host-facts.md "Certificate cmdlets by Exchange version"): New-ExchangeCertificate
# -GenerateRequest has no -Path and no -RequestFile, the request comes back as the output string;
# Import-ExchangeCertificate takes -FileData (Byte[]), no -FileName, and pairs the issued certificate with the
# pending key. The cmdlets read Active Directory with the logon's rights (host-facts.md "Second hop to AD").
param([string] $Step)

if ($Step -eq 'new') {
    $request = New-ExchangeCertificate -GenerateRequest -SubjectName ('cn=' + $Fqdn) -DomainName $Names -KeySize $KeyLength -PrivateKeyExportable $Exportable -ErrorAction Stop
    [string]::Join([string][char]10, [string[]]@($request))
} else {
    [void](Import-ExchangeCertificate -FileData ([Convert]::FromBase64String($Certificate)) -ErrorAction Stop)
}
