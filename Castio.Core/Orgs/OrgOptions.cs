namespace Castio.Core.Orgs;

/// <summary>Org provisioning settings, bound from the <c>Orgs</c> section.</summary>
public sealed class OrgOptions
{
    public const string SectionName = "Orgs";

    /// <summary>
    /// True: each org gets its own RTK app (seed §4.3). False: every org shares the configured
    /// <c>Rtk:AppId</c>, for accounts that cannot create apps.
    /// </summary>
    public bool PerOrgRtkApps { get; set; } = true;

    /// <summary>How long a registration may hold its slug before another attempt may take it over.</summary>
    public TimeSpan RegistrationLease { get; set; } = TimeSpan.FromMinutes(2);
}
