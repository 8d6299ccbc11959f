using System.ComponentModel.DataAnnotations;

namespace Castio.Functions.Hosting;

/// <summary>Request limits; every body is bounded.</summary>
public sealed class HttpLimitsOptions
{
    public const string SectionName = "Http";

    [Range(1_024, 104_857_600)]
    public long MaxRequestBodyBytes { get; set; } = 1_048_576;
}

/// <summary>Standalone queue polling, mirroring host.json extensions.queues (spec §3.3).</summary>
public sealed class QueuePollingOptions
{
    public const string SectionName = "Queues";

    [Range(1, 32)]
    public int BatchSize { get; set; } = 16;

    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Delay before a failed message is visible again (host default 0).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>How long a message stays hidden while its handler runs.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan ProcessingTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Back-off ceiling for an empty queue. Shorter than the host's 1 minute so local runs feel immediate.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(2);
}
