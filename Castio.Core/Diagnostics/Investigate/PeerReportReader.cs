using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Castio.Core.Diagnostics.Verdicts;

namespace Castio.Core.Diagnostics.Investigate;

public sealed record DeviceView(string? Os, string? OsVersion, string? Browser, string? BrowserVersion, bool? IsMobile, int? Cpus, string? SdkVersion);

public sealed record NetworkView(string? City, string? Region, string? Country, string? Asn, string? AsnName, string? EffectiveType, string? IceCandidateType, bool TurnUsed);

/// <summary>Averages over a connection's samples; null where RTK reported nothing.</summary>
public sealed record QualityView(
    int Samples, double? AudioPacketLossPct, double? AudioJitterMs, double? AudioRttMs, double? AudioMos,
    double? VideoPacketLossPct, double? VideoJitterMs, double? VideoRttMs, double? VideoBitrateKbps, double? VideoMos);

/// <summary>What one peer report says: device, network, quality summary, and the samples the verdicts read.</summary>
public sealed record PeerReportSummary(DeviceView? Device, NetworkView? Network, QualityView? Quality, ConnectionQuality? ForVerdicts);

/// <summary>
/// Reads RTK's peer report (<c>peer_report.metadata</c> and <c>peer_report.quality</c>), which is large and loosely
/// specified: every field is optional and read defensively.
/// </summary>
public static class PeerReportReader
{
    /// <summary>UNVERIFIED: jitter and RTT in the samples are milliseconds (browser getStats reports seconds; set 1000 if RTK passes those through).</summary>
    public const double SampleTimeToMs = 1;

    /// <summary>UNVERIFIED: a sample's <c>bitrate</c> is in bits per second.</summary>
    public const double BitrateToKbps = 0.001;

    private static readonly string[] AudioStreams = ["audio_producer"];
    private static readonly string[] VideoStreams = ["video_producer", "screenshare_video_producer"];

    public static PeerReportSummary Read(JsonObject? report)
    {
        var metadata = report?["metadata"] as JsonObject;
        var quality = report?["quality"] as JsonObject;

        DeviceView? device = null;
        if (metadata is not null && (metadata["device_info"] is JsonObject || metadata["browser_metadata"] is JsonObject))
        {
            var dev = metadata["device_info"] as JsonObject;
            var browser = metadata["browser_metadata"] as JsonObject;
            device = new DeviceView(Text(dev, "os"), Text(dev, "os_version"), Text(browser, "browser"), Text(browser, "browser_version"),
                Bool(dev, "is_mobile"), (int?)Number(dev, "cpus"), Text(metadata, "sdk_version"));
        }

        var relay = FindCandidateType(metadata?["candidate_pairs"]);
        NetworkView? network = null;
        var ip = metadata?["ip_information"] as JsonObject;
        var pc = (metadata?["pc_metadata"] as JsonArray)?.OfType<JsonObject>().LastOrDefault();
        if (ip is not null || pc is not null || relay.Type is not null)
        {
            var asnNode = ip?["asn"];
            var (asn, asnName) = asnNode is JsonObject a ? (Text(a, "asn"), Text(a, "name")) : (Text(ip, "asn"), null);
            network = new NetworkView(Text(ip, "city"), Text(ip, "region"), Text(ip, "country"), asn, asnName, Text(pc, "effective_network_type"), relay.Type, relay.Relay);
        }

        var audio = AudioStreams.SelectMany(s => Samples(quality?[s] as JsonArray, video: false)).ToList();
        var video = VideoStreams.SelectMany(s => Samples(quality?[s] as JsonArray, video: true)).ToList();
        QualityView? view = null;
        ConnectionQuality? forVerdicts = null;
        if (audio.Count + video.Count > 0)
        {
            view = new QualityView(audio.Count + video.Count,
                Mean(audio.Select(s => s.Sample.PacketLossPct)), Mean(audio.Select(s => s.Sample.JitterMs)), Mean(audio.Select(s => s.Sample.RttMs)), Mean(audio.Select(s => s.Mos)),
                Mean(video.Select(s => s.Sample.PacketLossPct)), Mean(video.Select(s => s.Sample.JitterMs)), Mean(video.Select(s => s.Sample.RttMs)),
                Mean(video.Select(s => s.Sample.BitrateKbps)), Mean(video.Select(s => s.Mos)));
            forVerdicts = new ConnectionQuality([.. audio.Concat(video).Select(s => s.Sample).OrderBy(s => s.At)], relay.Relay);
        }
        else if (relay.Type is not null)
        {
            forVerdicts = new ConnectionQuality([], relay.Relay);
        }
        return new PeerReportSummary(device, network, view, forVerdicts);
    }

    private static List<(QualitySample Sample, double? Mos)> Samples(JsonArray? samples, bool video)
    {
        var list = new List<(QualitySample, double?)>();
        if (samples is null) return list;
        (DateTimeOffset At, double Bytes)? previous = null;
        foreach (var s in samples.OfType<JsonObject>())
        {
            if (Time(s["timestamp"]) is not { } at) continue;
            var lost = Number(s, "packets_lost");
            var packets = Number(s, "packets_sent") ?? Number(s, "packets_received") ?? Number(s, "packets");
            var loss = Number(s, "packet_loss_percentage") ?? Number(s, "packet_loss")
                ?? (lost is { } l && packets is { } p && l + p > 0 ? 100 * l / (l + p) : null);
            double? bitrate = Number(s, "bitrate") is { } b ? b * BitrateToKbps : null;
            var bytes = Number(s, "bytes_sent") ?? Number(s, "bytes_received") ?? Number(s, "bytes");
            if (bitrate is null && bytes is { } now && previous is { } prev && at > prev.At && now >= prev.Bytes)
                bitrate = (now - prev.Bytes) * 8 / (at - prev.At).TotalSeconds / 1000;
            if (bytes is { } x) previous = (at, x);
            list.Add((new QualitySample(at, loss, Number(s, "jitter") * SampleTimeToMs, (Number(s, "rtt") ?? Number(s, "round_trip_time")) * SampleTimeToMs,
                video ? bitrate : null), Number(s, "mos_quality") ?? Number(s, "mos")));
        }
        return list;
    }

    /// <summary>The local candidate type of the transports' ICE pairs; any relay candidate means media went through TURN.</summary>
    private static (string? Type, bool Relay) FindCandidateType(JsonNode? pairs)
    {
        var types = new List<string>();
        void Walk(JsonNode? node, string? name)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, child) in o) Walk(child, key);
                    break;
                case JsonArray a:
                    foreach (var child in a) Walk(child, name);
                    break;
                case JsonValue v when v.TryGetValue<string>(out var text) && name is not null
                    && name.Contains("type", StringComparison.OrdinalIgnoreCase) && !name.Contains("remote", StringComparison.OrdinalIgnoreCase)
                    && text is "host" or "srflx" or "prflx" or "relay":
                    types.Add(text);
                    break;
            }
        }
        Walk(pairs, null);
        return types.Count == 0 ? (null, false) : types.Contains("relay") ? ("relay", true) : (types[0], false);
    }

    private static DateTimeOffset? Time(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) => t,
        JsonValue v when v.TryGetValue<long>(out var ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms),
        JsonValue v when v.TryGetValue<double>(out var ms) => DateTimeOffset.FromUnixTimeMilliseconds((long)ms),
        _ => null,
    };

    private static string? Text(JsonObject? o, string name) => o?[name] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };

    private static bool? Bool(JsonObject? o, string name) => o?[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    private static double? Number(JsonObject? o, string name) => o?[name] is JsonValue v
        ? v.TryGetValue<double>(out var d) ? d : v.TryGetValue<long>(out var l) ? l : v.TryGetValue<int>(out var i) ? i
        : v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p : null
        : null;

    private static double? Mean(IEnumerable<double?> values)
    {
        var list = values.Where(v => v is { } x && !double.IsNaN(x)).Select(v => v!.Value).ToList();
        return list.Count == 0 ? null : Math.Round(list.Average(), 2);
    }
}
