using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Core.Retention;
using Microsoft.Extensions.Options;

namespace Castio.Core.Diagnostics;

/// <summary>
/// An org's diagnostics settings. The phone-home switch is the org setting (<see cref="OrgSettings.PhoneHomeEnabled"/>,
/// one source of truth for both routes); artefact retention is the retention policy's.
/// </summary>
public sealed class DiagnosticsSettingsService(OrgService orgs, RetentionPolicy retention, IOptions<DiagnosticsOptions> options, TimeProvider time)
{
    public async Task<Outcome<DiagnosticsSettings>> GetAsync(Guid orgId, CancellationToken cancellationToken)
    {
        var org = await orgs.GetSettingsAsync(orgId, cancellationToken);
        if (org.Error is { } error)
        {
            return error;
        }

        return new DiagnosticsSettings(
            org.Value.Settings.PhoneHomeEnabled,
            options.Value.PhoneHomeEndpoint.Length > 0,
            await retention.GetArtefactRetentionDaysAsync(orgId, cancellationToken));
    }

    public async Task<Outcome<DiagnosticsSettings>> UpdateAsync(Guid orgId, DiagnosticsSettingsPatch patch, CancellationToken cancellationToken)
    {
        if (patch.ArtefactRetentionDays is < RetentionPeriods.MinArtefactDays or > RetentionPeriods.MaxArtefactDays)
        {
            return Error.Invalid(ValidationCodes.ValidationFailed, new FieldErrors().Add(
                "artefactRetentionDays", $"Must be between {RetentionPeriods.MinArtefactDays} and {RetentionPeriods.MaxArtefactDays} days."));
        }

        if (patch.PhoneHomeEnabled is { } enabled)
        {
            var updated = await orgs.UpdateSettingsAsync(orgId, new OrgSettingsPatch(PhoneHomeEnabled: enabled), cancellationToken);
            if (updated.Error is { } error)
            {
                return error;
            }
        }

        if (patch.ArtefactRetentionDays is { } days)
        {
            await retention.SetArtefactRetentionDaysAsync(orgId, days, time.GetUtcNow(), cancellationToken);
        }

        return await GetAsync(orgId, cancellationToken);
    }
}
