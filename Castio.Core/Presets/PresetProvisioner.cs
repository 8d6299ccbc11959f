using System.Text.Json;
using System.Text.Json.Nodes;
using Castio.Core.Rtk;
using Microsoft.Extensions.Logging;

namespace Castio.Core.Presets;

/// <summary>What one provisioning run did, by preset name.</summary>
public sealed record PresetProvisioningResult(IReadOnlyList<string> Created, IReadOnlyList<string> Updated, IReadOnlyList<string> Unchanged);

/// <summary>
/// Makes an RTK app hold Castio's presets: creates missing ones, patches drifted ones, leaves the
/// rest (and presets Castio does not own) alone. Safe to run any number of times.
/// </summary>
public sealed partial class PresetProvisioner(RtkClient rtk, ILogger<PresetProvisioner> logger)
{
    public Task<PresetProvisioningResult> ProvisionAsync(string appId, CancellationToken cancellationToken = default) =>
        ProvisionAsync(appId, CastioPresets.All, cancellationToken);

    public async Task<PresetProvisioningResult> ProvisionAsync(string appId, IReadOnlyList<RtkPreset> desired, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(appId);
        var existing = (await rtk.Presets.ListAllAsync(appId, cancellationToken))
            .GroupBy(p => p.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        List<string> created = [], updated = [], unchanged = [];
        foreach (var preset in desired)
        {
            if (!existing.TryGetValue(preset.Name, out var id))
            {
                await rtk.Presets.CreateAsync(appId, preset, cancellationToken);
                created.Add(preset.Name);
                continue;
            }
            var actual = await rtk.Presets.GetAsync(appId, id, cancellationToken);
            if (IsSatisfiedBy(preset, actual))
            {
                unchanged.Add(preset.Name);
                continue;
            }
            await rtk.Presets.UpdateAsync(appId, id, new RtkPresetUpdate { Config = preset.Config, Permissions = preset.Permissions, Ui = preset.Ui }, cancellationToken);
            updated.Add(preset.Name);
        }
        LogProvisioned(logger, appId, created.Count, updated.Count, unchanged.Count);
        return new(created, updated, unchanged);
    }

    /// <summary>
    /// Provisions the app when it lacks the Castio preset <paramref name="name"/>: an app provisioned before a Castio
    /// upgrade added that preset. True when the preset was missing, so a call refused for want of it may be retried.
    /// </summary>
    public async Task<bool> EnsureAsync(string appId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(appId);
        if (!CastioPresets.Exists(name) || (await rtk.Presets.ListAllAsync(appId, cancellationToken)).Any(p => p.Name == name))
        {
            return false;
        }

        LogMissing(logger, appId, name);
        try
        {
            await ProvisionAsync(appId, cancellationToken);
        }
        catch (RtkException e) when (e.Status is System.Net.HttpStatusCode.Conflict)
        {
            // Another caller is provisioning the same app and created a preset first.
        }

        return true;
    }

    /// <summary>
    /// True when every value Castio sets is present and equal in RTK's copy. Extra fields RTK adds
    /// (defaults, newer schema members) are not drift.
    /// </summary>
    public static bool IsSatisfiedBy(RtkPreset desired, RtkPreset actual) =>
        Contains(ToNode(actual.Config, RtkJsonContext.Default.RtkPresetConfig), ToNode(desired.Config, RtkJsonContext.Default.RtkPresetConfig))
        && Contains(ToNode(actual.Permissions, RtkJsonContext.Default.RtkPresetPermissions), ToNode(desired.Permissions, RtkJsonContext.Default.RtkPresetPermissions))
        && Contains(ToNode(actual.Ui, RtkJsonContext.Default.RtkPresetUi), ToNode(desired.Ui, RtkJsonContext.Default.RtkPresetUi));

    private static JsonNode? ToNode<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.SerializeToNode(value, typeInfo);

    private static bool Contains(JsonNode? actual, JsonNode? wanted)
    {
        if (wanted is JsonObject wantedObject)
        {
            if (actual is not JsonObject actualObject) return false;
            foreach (var (key, value) in wantedObject)
            {
                if (!actualObject.TryGetPropertyValue(key, out var actualValue) || !Contains(actualValue, value)) return false;
            }
            return true;
        }
        return JsonNode.DeepEquals(actual, wanted);
    }

    [LoggerMessage(EventId = 1301, EventName = "PresetsProvisioned", Level = LogLevel.Information,
        Message = "Provisioned presets in RTK app {AppId}: {Created} created, {Updated} updated, {Unchanged} unchanged")]
    private static partial void LogProvisioned(ILogger logger, string appId, int created, int updated, int unchanged);

    [LoggerMessage(EventId = 1311, EventName = "PresetMissing", Level = LogLevel.Warning,
        Message = "RTK app {AppId} lacks the Castio preset {Preset}; provisioning the app's presets")]
    private static partial void LogMissing(ILogger logger, string appId, string preset);
}
