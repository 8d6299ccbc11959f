using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Castio.Tests.Auth;
using Castio.Tests.Infrastructure;
using Castio.Tests.Rtk;

namespace Castio.Tests.Orgs;

public class OrgApiTests(AzuriteFixture azurite, SimulatorFixture simulator) : IClassFixture<SimulatorFixture>
{
    private CastioApplication NewApp() => new CastioApplication(azurite).WithRtkSimulator(simulator.Sim);

    private static HttpContent Upload(string? kind, byte[]? bytes, string claimedType = "image/png")
    {
        var form = new MultipartFormDataContent();
        if (kind is not null)
        {
            form.Add(new StringContent(kind), "kind");
        }

        if (bytes is not null)
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(claimedType);
            form.Add(file, "file", "upload");
        }

        return form;
    }

    [Fact]
    public async Task SettingsStartAtDefaultsAndPatchChangesOnlyTheGivenFields()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var before = await (await client.SendAsync(HttpMethod.Get, "/api/org/settings", token: owner.AccessToken)).JsonAsync();
        var patched = await client.SendAsync(HttpMethod.Patch, "/api/org/settings",
            new { name = "Acme Renamed", brandColor = "#ff8800", guestAccessDefault = "disabled", waitingRoomDefault = false, transcriptionDefault = true, phoneHomeEnabled = false, maxParticipantsPerMeeting = 50 },
            owner.AccessToken);
        var after = await (await client.SendAsync(HttpMethod.Get, "/api/org/settings", token: owner.AccessToken)).JsonAsync();

        Assert.Equal("#2563EB", (string?)before["settings"]!["brandColor"]);
        Assert.True((bool)before["settings"]!["phoneHomeEnabled"]!);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var s = after["settings"]!;
        Assert.Equal("Acme Renamed", (string?)after["name"]);
        Assert.Equal("#FF8800", (string?)s["brandColor"]);
        Assert.Equal("disabled", (string?)s["guestAccessDefault"]);
        Assert.False((bool)s["waitingRoomDefault"]!);
        Assert.True((bool)s["transcriptionDefault"]!);
        Assert.False((bool)s["phoneHomeEnabled"]!);
        Assert.Equal(50, (int)s["maxParticipantsPerMeeting"]!);
        Assert.Equal((int)before["settings"]!["maxConcurrentMeetings"]!, (int)s["maxConcurrentMeetings"]!);
    }

    [Theory]
    [InlineData("""{"brandColor":"blue","guestAccessDefault":"everyone","maxMeetingDurationMinutes":5000,"maxParticipantsPerMeeting":1,"maxConcurrentMeetings":0,"theme":"neon","defaultMeetingType":"chat","name":""}""",
        "brandColor,defaultMeetingType,guestAccessDefault,maxConcurrentMeetings,maxMeetingDurationMinutes,maxParticipantsPerMeeting,name,theme")]
    [InlineData("""{"brandColor":"#12345"}""", "brandColor")]
    public async Task BadSettingsAreAValidationProblemNamingEachField(string json, string fields)
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var response = await client.SendAsync(HttpMethod.Patch, "/api/org/settings", JsonNode.Parse(json), owner.AccessToken);

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(fields.Split(','), problem["errors"]!.AsObject().Select(e => e.Key).Order());
    }

    [Fact]
    public async Task WrongJsonTypesInSettingsAreAClientProblem()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var response = await client.SendAsync(HttpMethod.Patch, "/api/org/settings", JsonNode.Parse("""{"maxConcurrentMeetings":"lots","waitingRoomDefault":"yes"}"""), owner.AccessToken);

        await response.ProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task UploadedLogoIsServedAnonymouslyBySlugWithSafeHeaders()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var uploaded = await client.SendAsync(HttpMethod.Post, "/api/org/branding", Upload("logo", Images.Png, claimedType: "text/html"), owner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        var asset = await uploaded.JsonAsync();
        Assert.Equal("image/png", (string?)asset["contentType"]);

        var branding = await (await client.SendAsync(HttpMethod.Get, "/api/branding/" + owner.OrgSlug)).JsonAsync();
        Assert.Equal("#2563EB", (string?)branding["brandColor"]);
        var url = (string)branding["assets"]![0]!["url"]!;
        var file = await client.SendAsync(HttpMethod.Get, url);

        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("image/png", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Images.Png, await file.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal("nosniff", file.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.NotNull(file.Headers.ETag);
    }

    [Fact]
    public async Task SvgHtmlOversizeAndUnknownKindsAreRefused()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);
        var bigFavicon = new byte[200 * 1024];
        Images.Png.CopyTo(bigFavicon, 0);

        foreach (var (content, field) in new (HttpContent, string)[]
        {
            (Upload("logo", "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"u8.ToArray(), "image/svg+xml"), "file"),
            (Upload("background", "<html><script>alert(1)</script></html>"u8.ToArray()), "file"),
            (Upload("favicon", bigFavicon), "file"),
            (Upload("banner", Images.Png), "kind"),
            (Upload("logo", null), "file"),
            (Upload(null, Images.Png), "kind"),
        })
        {
            var response = await client.SendAsync(HttpMethod.Post, "/api/org/branding", content, owner.AccessToken);
            var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
            Assert.NotNull(problem["errors"]![field]);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, $"/api/branding/{owner.OrgSlug}/logo")).StatusCode);
    }

    [Fact]
    public async Task BrandingUploadMustBeMultipart()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();
        var owner = await AuthTestKit.RegisterAsync(client);

        var response = await client.SendAsync(HttpMethod.Post, "/api/org/branding", new { kind = "logo" }, owner.AccessToken);

        await response.ProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task UnknownOrgAndAssetAreNotFoundProblems()
    {
        await using var app = NewApp();
        using var client = app.CreateHttpClient();

        Assert.Equal("org.not_found", (string?)(await (await client.SendAsync(HttpMethod.Get, "/api/branding/no-such-org-y")).ProblemAsync(HttpStatusCode.NotFound))["code"]);
        Assert.Equal("org.branding_not_found", (string?)(await (await client.SendAsync(HttpMethod.Get, "/api/branding/no-such-org-y/logo")).ProblemAsync(HttpStatusCode.NotFound))["code"]);
        Assert.Equal("org.branding_not_found", (string?)(await (await client.SendAsync(HttpMethod.Get, "/api/branding/x/..%2F..%2Fetc")).ProblemAsync(HttpStatusCode.NotFound))["code"]);
    }
}
