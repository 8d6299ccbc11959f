namespace Castio.Core.Diagnostics;

/// <summary>Stable problem codes of diagnostics.</summary>
public static class DiagnosticsErrors
{
    public const string OrgNotFound = "diagnostics.org_not_found";
    public const string PhoneHomeDisabled = "diagnostics.phone_home_disabled";
}
