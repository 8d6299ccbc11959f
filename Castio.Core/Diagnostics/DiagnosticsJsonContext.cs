using System.Text.Json;
using System.Text.Json.Serialization;

namespace Castio.Core.Diagnostics;

/// <summary>The details column of a stored snapshot, and the phone-home report on the wire (camelCase, nulls left out).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SnapshotDetails))]
[JsonSerializable(typeof(PhoneHomeReport))]
internal sealed partial class DiagnosticsJsonContext : JsonSerializerContext;

internal sealed record SnapshotDetails(
    IReadOnlyList<ProbeResult> Probes,
    IReadOnlyList<HealthWarning> Warnings,
    WebhookFailureRate? Webhooks,
    PhoneHomeDelivery? PhoneHome);
