using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Castio.Core.Rtk;

/// <summary>
/// Typed client for the Cloudflare RealtimeKit REST API (docs/realtimekit.md): one small client per API
/// area (<c>rtk.Meetings.CreateAsync(appId, request)</c>), all over one connection. Every failure is an
/// <see cref="RtkException"/>; <see cref="RtkException.IsUnavailable"/> marks outages.
/// </summary>
public sealed class RtkClient
{
    public RtkClient(HttpClient http, IOptions<RtkOptions> options, RtkResilience resilience, ILogger<RtkClient> logger)
    {
        var api = new RtkConnection(http, options.Value, resilience, logger);
        DefaultAppId = options.Value.AppId;
        Apps = new(api);
        Meetings = new(api);
        Participants = new(api);
        ActiveSession = new(api);
        Sessions = new(api);
        Recordings = new(api);
        Livestreams = new(api);
        Presets = new(api);
        Webhooks = new(api);
        Analytics = new(api);
    }

    /// <summary>The configured default app id (<see cref="RtkOptions.AppId"/>).</summary>
    public string DefaultAppId { get; }

    public RtkAppsClient Apps { get; }
    public RtkMeetingsClient Meetings { get; }
    public RtkParticipantsClient Participants { get; }
    public RtkActiveSessionClient ActiveSession { get; }
    public RtkSessionsClient Sessions { get; }
    public RtkRecordingsClient Recordings { get; }
    public RtkLivestreamsClient Livestreams { get; }
    public RtkPresetsClient Presets { get; }
    public RtkWebhooksClient Webhooks { get; }
    public RtkAnalyticsClient Analytics { get; }
}
