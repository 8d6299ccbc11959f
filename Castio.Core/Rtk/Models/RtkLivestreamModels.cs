using System.Text.Json.Nodes;

namespace Castio.Core.Rtk;

public sealed record RtkStartLivestreamRequest
{
    public string? Name { get; init; }
    public RtkSize? VideoConfig { get; init; }
}
public sealed record RtkLivestream
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string? MeetingId { get; init; }
    public string? Status { get; init; }
    public string? IngestServer { get; init; }
    public string? StreamKey { get; init; }
    public string? PlaybackUrl { get; init; }
    /// <summary>Typed as bool or string depending on the endpoint, so left as JSON.</summary>
    public JsonNode? Disabled { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    public override string ToString() => $"RtkLivestream {{ Id = {Id}, Status = {Status} }}"; // stream key is a secret
}
public sealed record RtkMessage(string? Message);
