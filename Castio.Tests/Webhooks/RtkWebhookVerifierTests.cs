using System.Security.Cryptography;
using System.Text;
using Castio.Core.Rtk;
using Castio.Core.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Castio.Tests.Webhooks;

/// <summary>RSA-SHA256 signature checks against a real key endpoint whose key can be rotated or taken down.</summary>
public sealed class RtkWebhookVerifierTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"event":"meeting.started","meeting":{"id":"m1"}}""");

    private WebhookReceiver _keyServer = null!;
    // RSA key generation is slow; the keys are shared, the key server is per test.
    private static readonly RSA KeyA = RSA.Create(2048), KeyB = RSA.Create(2048), Stranger = RSA.Create(2048);
    private RSA _key = KeyA;
    private int _fetches;
    private volatile bool _keyDown;

    public async ValueTask InitializeAsync() =>
        _keyServer = await WebhookReceiver.StartAsync(web => web.MapGet("/.well-known/webhooks.json", () =>
        {
            Interlocked.Increment(ref _fetches);
            return _keyDown
                ? Results.StatusCode(503)
                : Results.Json(new { success = true, data = new { publicKey = _key.ExportSubjectPublicKeyInfoPem() }, message = "" });
        }), Ct);

    public async ValueTask DisposeAsync() => await _keyServer.DisposeAsync();

    private RtkWebhookVerifier Verifier(TimeSpan? cooldown = null, TimeProvider? time = null) => new(new HttpClient(), Options.Create(new RtkOptions
    {
        WebhookPublicKeyUrl = _keyServer.Url + "/.well-known/webhooks.json",
        WebhookPublicKeyRefetchCooldown = cooldown ?? TimeSpan.Zero,
        WebhookPublicKeyCacheDuration = TimeSpan.FromHours(6),
        WebhookMaxBodyBytes = 1024,
    }), time ?? TimeProvider.System, NullLogger<RtkWebhookVerifier>.Instance);

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 6, 3, 10, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task CachedKeyIsFetchedAgainOnlyAfterTheCacheDuration()
    {
        var clock = new ManualClock();
        var verifier = Verifier(time: clock);
        await verifier.VerifyAsync(Sign(_key, Body), Body, Ct);

        clock.Now += TimeSpan.FromHours(5);
        Assert.True((await verifier.VerifyAsync(Sign(_key, Body), Body, Ct)).IsValid);
        Assert.Equal(1, _fetches);

        clock.Now += TimeSpan.FromHours(2);
        Assert.True((await verifier.VerifyAsync(Sign(_key, Body), Body, Ct)).IsValid);
        Assert.Equal(2, _fetches);
    }

    private static string Sign(RSA key, byte[] body) => Convert.ToBase64String(key.SignData(body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    [Fact]
    public async Task SignatureOverTheRawBodyVerifiesAndTheKeyIsCached()
    {
        var verifier = Verifier();

        Assert.True((await verifier.VerifyAsync(Sign(_key, Body), Body, Ct)).IsValid);
        Assert.True((await verifier.VerifyAsync(Sign(_key, Body), Body, Ct)).IsValid);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task TamperedBodyIsRefusedWith401()
    {
        var verifier = Verifier();
        var tampered = (byte[])Body.Clone();
        tampered[^3] ^= 0x01;

        var result = await verifier.VerifyAsync(Sign(_key, Body), tampered, Ct);

        Assert.False(result.IsValid);
        Assert.Equal(401, result.StatusCode);
        Assert.Equal(RtkWebhookProblemCodes.SignatureInvalid, result.ProblemCode);
    }

    [Fact]
    public async Task ReserialisedJsonIsRefusedBecauseOnlyTheRawBytesCount()
    {
        var verifier = Verifier();
        var pretty = Encoding.UTF8.GetBytes(System.Text.Json.Nodes.JsonNode.Parse(Body)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

        Assert.False((await verifier.VerifyAsync(Sign(_key, Body), pretty, Ct)).IsValid);
    }

    [Fact]
    public async Task SignatureFromAnotherKeyIsRefusedAfterOneRefetch()
    {
        var verifier = Verifier();
        var stranger = Stranger;

        var result = await verifier.VerifyAsync(Sign(stranger, Body), Body, Ct);

        Assert.Equal(401, result.StatusCode);
        Assert.Equal(2, _fetches); // the cached key, then one refetch in case RTK rotated it
    }

    [Fact]
    public async Task MissingSignatureIs400AndGarbageIs401()
    {
        var verifier = Verifier();

        var missing = await verifier.VerifyAsync(null, Body, Ct);
        Assert.Equal(400, missing.StatusCode);
        Assert.Equal(RtkWebhookProblemCodes.SignatureMissing, missing.ProblemCode);

        var garbage = await verifier.VerifyAsync("not base64 !!", Body, Ct);
        Assert.Equal(401, garbage.StatusCode);
        Assert.Equal(0, _fetches); // refused before any key work
    }

    [Fact]
    public async Task RotatedKeyIsPickedUpByOneRefetchAndTheCooldownBoundsRefetches()
    {
        var verifier = Verifier(cooldown: TimeSpan.FromMinutes(5));
        Assert.True((await verifier.VerifyAsync(Sign(_key, Body), Body, Ct)).IsValid);

        _key = KeyB;
        Assert.True((await verifier.VerifyAsync(Sign(_key, Body), Body, Ct)).IsValid);
        Assert.Equal(2, _fetches);

        var stranger = Stranger;
        Assert.False((await verifier.VerifyAsync(Sign(stranger, Body), Body, Ct)).IsValid);
        Assert.Equal(2, _fetches); // within the cooldown a bad signature cannot force another fetch
    }

    [Fact]
    public async Task UnreachableKeyIs503SoRtkRetriesLater()
    {
        _keyDown = true;
        var verifier = Verifier();

        var result = await verifier.VerifyAsync(Sign(_key, Body), Body, Ct);

        Assert.Equal(503, result.StatusCode);
        Assert.Equal(RtkWebhookProblemCodes.KeyUnavailable, result.ProblemCode);
    }

    [Fact]
    public async Task ReadAndVerifyReadsTheRawRequestAndItsDeliveryHeaders()
    {
        var verifier = Verifier();
        var context = Request(Body, Sign(_key, Body), uuid: "d-1", webhookId: "w-1");

        var delivery = await verifier.ReadAndVerifyAsync(context.Request, Ct);

        Assert.True(delivery.Verification.IsValid);
        Assert.Equal(Body, delivery.Body.ToArray());
        Assert.Equal("d-1", delivery.DeliveryId);
        Assert.Equal("w-1", delivery.WebhookId);
    }

    [Fact]
    public async Task ReadAndVerifyRefusesMissingHeadersAndOversizedBodies()
    {
        var verifier = Verifier();

        var unsigned = await verifier.ReadAndVerifyAsync(Request(Body, null, "d-1", "w-1").Request, Ct);
        Assert.Equal(400, unsigned.Verification.StatusCode);
        Assert.Equal(RtkWebhookProblemCodes.SignatureMissing, unsigned.Verification.ProblemCode);

        var noUuid = await verifier.ReadAndVerifyAsync(Request(Body, Sign(_key, Body), null, "w-1").Request, Ct);
        Assert.Equal(400, noUuid.Verification.StatusCode);
        Assert.Equal(RtkWebhookProblemCodes.DeliveryIdMissing, noUuid.Verification.ProblemCode);

        var big = new byte[2048];
        var tooLarge = await verifier.ReadAndVerifyAsync(Request(big, Sign(_key, big), "d-1", "w-1", declareLength: false).Request, Ct);
        Assert.Equal(413, tooLarge.Verification.StatusCode);
    }

    [Fact]
    public void FailuresBecomeProblemDetailsWithAStableCode()
    {
        var problem = new RtkWebhookVerification(false, 401, RtkWebhookProblemCodes.SignatureInvalid, "bad").ToProblemDetails();

        Assert.Equal(401, problem.Status);
        Assert.Equal(RtkWebhookProblemCodes.SignatureInvalid, problem.Extensions["code"]);
        Assert.Equal("bad", problem.Detail);
    }

    private static DefaultHttpContext Request(byte[] body, string? signature, string? uuid, string? webhookId, bool declareLength = true)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Body = new MemoryStream(body);
        if (declareLength) context.Request.ContentLength = body.Length;
        if (signature is not null) context.Request.Headers[RtkWebhookVerifier.SignatureHeader] = signature;
        if (uuid is not null) context.Request.Headers[RtkWebhookVerifier.DeliveryIdHeader] = uuid;
        if (webhookId is not null) context.Request.Headers[RtkWebhookVerifier.WebhookIdHeader] = webhookId;
        return context;
    }
}
