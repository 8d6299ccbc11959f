using System.Security.Cryptography;

namespace Castio.RtkSimulator;

/// <summary>Start-up settings of the simulator. Fault settings can also be changed while it runs (<see cref="SimulatorFaults"/>).</summary>
public sealed class RtkSimulatorOptions
{
    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Account id the API answers for.</summary>
    public string AccountId { get; set; } = "0123456789abcdef0123456789abcdef";

    /// <summary>Bearer token the API accepts; null accepts any non-empty token.</summary>
    public string? ApiToken { get; set; } = "simulator-token";

    /// <summary>An app created at start-up with this id (and <see cref="DefaultAppName"/>); null creates none.</summary>
    public string? DefaultAppId { get; set; }

    public string DefaultAppName { get; set; } = "Castio (simulated)";

    /// <summary>Limit for all RTK APIs (RTK's documented 3,500 requests per 5 minutes).</summary>
    public int RateLimitRequests { get; set; } = 3500;
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Recording API limit (RTK's documented 1,000 requests per 50 seconds).</summary>
    public int RecordingRateLimitRequests { get; set; } = 1000;
    public TimeSpan RecordingRateLimitWindow { get; set; } = TimeSpan.FromSeconds(50);

    /// <summary>Signing key for webhooks; null uses an RSA-2048 key generated once per process.</summary>
    public RSA? WebhookSigningKey { get; set; }

    /// <summary>Delivery attempts per webhook delivery (first try included); retried only on 5xx/network errors.</summary>
    public int WebhookMaxAttempts { get; set; } = 5;
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Send every delivery twice with the same rtk-uuid.</summary>
    public bool DuplicateDeliveries { get; set; }

    /// <summary>Send each batch of queued deliveries newest first.</summary>
    public bool ReorderDeliveries { get; set; }

    /// <summary>Recordings move INVOKED→RECORDING on start and UPLOADING→UPLOADED on stop by themselves.</summary>
    public bool AutoAdvanceRecordings { get; set; }

    /// <summary>When a session ends, produce chat/transcript/summary artefacts per the meeting's flags.</summary>
    public bool ProduceArtefactsOnEnd { get; set; }

    /// <summary>Keep-alive after the last peer leaves; null uses the meeting's session_keep_alive_time_in_secs.</summary>
    public TimeSpan? KeepAliveOverride { get; set; }

    /// <summary>Reject a second participant with the same custom_participant_id in one meeting (UNVERIFIED in RTK; third-party code that falls back to a lookup suggests add fails).</summary>
    public bool RejectDuplicateCustomParticipantId { get; set; } = true;

    /// <summary>Clock for timestamps, keep-alive and rate windows.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Seed for the error-rate dice, for repeatable runs.</summary>
    public int? RandomSeed { get; set; }

    /// <summary>Let the simulator log through the console (off by default to keep test output clean).</summary>
    public bool EnableLogging { get; set; }
}
