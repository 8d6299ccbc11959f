using Castio.Core.Rtk;
using Microsoft.Extensions.Options;

namespace Castio.Core.Orgs;

/// <summary>Org provisioning settings, bound from the <c>Orgs</c> section.</summary>
public sealed class OrgOptions
{
    public const string SectionName = "Orgs";

    /// <summary>
    /// True: each org gets its own RTK app, created at registration. False: every org shares the configured
    /// <c>Rtk:AppId</c>, for accounts that cannot create apps.
    /// </summary>
    public bool PerOrgRtkApps { get; set; } = true;

    /// <summary>How long a registration may hold its slug before another attempt may take it over.</summary>
    public TimeSpan RegistrationLease { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>Shared-app mode needs the app to share; say so at start-up rather than at the first registration.</summary>
public sealed class OrgOptionsValidator(IOptions<RtkOptions> rtk) : IValidateOptions<OrgOptions>
{
    public ValidateOptionsResult Validate(string? name, OrgOptions options)
    {
        if (!options.PerOrgRtkApps && string.IsNullOrWhiteSpace(rtk.Value.AppId))
        {
            return ValidateOptionsResult.Fail("Orgs:PerOrgRtkApps is false, so Rtk:AppId must name the shared RTK app.");
        }

        return options.RegistrationLease < TimeSpan.FromSeconds(30) || options.RegistrationLease > TimeSpan.FromHours(1)
            ? ValidateOptionsResult.Fail("Orgs:RegistrationLease must be between 30 seconds and 1 hour.")
            : ValidateOptionsResult.Success;
    }
}
