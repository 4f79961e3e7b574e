"""Documented members of the System.Management.Automation types the scripts meet (ScriptBlock, PSCredential,
ErrorRecord, InvocationInfo, ErrorCategoryInfo, SwitchParameter, PowerShell's exceptions) and of SecureString and
NetworkCredential.

The PowerShell SDK pages (https://learn.microsoft.com/dotnet/api/system.management.automation.<type>) describe
the reference assemblies of 3.0 and later; CLR4 here marks what 3.0 added (PowerShell 3.0 and 4.0 run on .NET 4).
Members 2.0 added to 1.0 are recorded for CLR2, so on a 1.0 host the lab refuses them rather than answering for it.
"""

from __future__ import annotations

from ...values import CLR4, document_members

_SMA = "System.Management.Automation."

# https://learn.microsoft.com/dotnet/api/system.management.automation.scriptblock
# Create, GetNewClosure, GetSteppablePipeline, GetPowerShell, Module, File, StartPosition and Attributes are 2.0's;
# Ast, Id and InvokeWithContext 3.0's (DebuggerHidden, IsConfiguration later still).
document_members(
    _SMA + "ScriptBlock",
    instance="Attributes File IsFilter Module StartPosition CheckRestrictedLanguage GetNewClosure GetPowerShell "
    "GetSteppablePipeline Invoke InvokeReturnAsIs ToString",
    static="Create",
)
document_members(
    _SMA + "ScriptBlock", instance="Ast DebuggerHidden Id InvokeWithContext IsConfiguration GetObjectData", since=CLR4
)
# https://learn.microsoft.com/dotnet/api/system.management.automation.pscredential
document_members(
    _SMA + "PSCredential", instance="Password UserName GetNetworkCredential GetObjectData", static="Empty op_Explicit"
)
# https://learn.microsoft.com/dotnet/api/system.management.automation.errorrecord
document_members(
    _SMA + "ErrorRecord",
    instance="CategoryInfo ErrorDetails Exception FullyQualifiedErrorId InvocationInfo PipelineIterationInfo "
    "TargetObject GetObjectData ToString",
)
document_members(_SMA + "ErrorRecord", instance="ScriptStackTrace", since=CLR4)
# https://learn.microsoft.com/dotnet/api/system.management.automation.errorcategoryinfo
document_members(
    _SMA + "ErrorCategoryInfo", instance="Activity Category Reason TargetName TargetType GetMessage ToString"
)
# https://learn.microsoft.com/dotnet/api/system.management.automation.invocationinfo
document_members(
    _SMA + "InvocationInfo",
    instance="BoundParameters CommandOrigin ExpectingInput HistoryId InvocationName Line MyCommand OffsetInLine "
    "PipelineLength PipelinePosition PositionMessage ScriptLineNumber ScriptName UnboundArguments",
)
document_members(
    _SMA + "InvocationInfo", instance="DisplayScriptPosition PSCommandPath PSScriptRoot", static="Create", since=CLR4
)
# https://learn.microsoft.com/dotnet/api/system.management.automation.switchparameter
document_members(
    _SMA + "SwitchParameter",
    instance="IsPresent Equals GetHashCode ToBool ToString",
    static="Present op_Equality op_Implicit op_Inequality",
)

# PowerShell's exceptions (and the page of each):
# https://learn.microsoft.com/dotnet/api/system.management.automation.runtimeexception
document_members(_SMA + "RuntimeException", instance="ErrorRecord WasThrownFromThrowStatement GetObjectData")
for _name in (
    "MethodException",
    "MethodInvocationException",
    "ExtendedTypeSystemException",
    "GetValueInvocationException",
    "SetValueInvocationException",
    "DriveNotFoundException",
    "ItemNotFoundException",
):
    document_members(_SMA + _name)
document_members(_SMA + "ActionPreferenceStopException", instance="ErrorRecord GetObjectData")
document_members(_SMA + "CommandNotFoundException", instance="CommandName ErrorRecord GetObjectData")
document_members(
    _SMA + "ParameterBindingException",
    instance="CommandInvocation ErrorId Line Message Offset ParameterName ParameterType TypeSpecified GetObjectData",
)
document_members(_SMA + "SessionStateException", instance="ErrorRecord ItemName SessionStateCategory GetObjectData")
for _name in ("PSArgumentException", "PSArgumentNullException"):
    document_members(_SMA + _name, instance="ErrorRecord Message GetObjectData")
for _name in ("PSInvalidCastException", "PSInvalidOperationException", "PSNotSupportedException"):
    document_members(_SMA + _name, instance="ErrorRecord GetObjectData")
document_members(_SMA + "ParentContainsErrorRecordException", instance="Message")
document_members(_SMA + "Remoting.PSRemotingTransportException", instance="ErrorCode TransportMessage GetObjectData")

# https://learn.microsoft.com/dotnet/api/system.security.securestring
document_members(
    "System.Security.SecureString",
    instance="Length AppendChar Clear Copy Dispose InsertAt IsReadOnly MakeReadOnly RemoveAt SetAt",
)
# https://learn.microsoft.com/dotnet/api/system.net.networkcredential
document_members("System.Net.NetworkCredential", instance="Domain Password UserName GetCredential")
document_members("System.Net.NetworkCredential", instance="SecurePassword", since=CLR4)
