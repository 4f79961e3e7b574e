# operation: certificate_request.2013
# language: 2.0
# exchange: 2013
#
# certificate_request's exchange method on Exchange 2013 (wrapped by the controller as Invoke-ExumRequestMethod),
# with 2013's parameters (host-facts.md "Certificate cmdlets by Exchange version"): New-ExchangeCertificate
# -GenerateRequest without -RequestFile returns the request as a string (as on 2010);
# Import-ExchangeCertificate takes -FileData (Byte[]) as on 2010 (-FileName is 2013's too), and pairs it with the
# pending key. The cmdlets read Active Directory with the logon's rights (host-facts.md "Second hop to AD").
param([string] $Step)

if ($Step -eq 'new') {
    $request = New-ExchangeCertificate -GenerateRequest -SubjectName ('cn=' + $Fqdn) -DomainName $Names -KeySize $KeyLength -PrivateKeyExportable $Exportable -ErrorAction Stop
    [string]::Join([string][char]10, [string[]]@($request))
} else {
    [void](Import-ExchangeCertificate -FileData ([Convert]::FromBase64String($Certificate)) -ErrorAction Stop)
}
