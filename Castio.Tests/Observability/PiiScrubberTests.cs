using Castio.Core.Auth;
using Castio.Core.Observability;
using Sentry;

namespace Castio.Tests.Observability;

public class PiiScrubberTests
{
    [Theory]
    [InlineData("mail ada.lovelace+test@example.co.uk now", "mail [email] now")]
    [InlineData("from 203.0.113.77:443", "from [ip]:443")]
    [InlineData("peer ::1 and fe80::1ff:fe23:4567:890a.", "peer [ip] and [ip].")]
    [InlineData("peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334", "peer [ip]")]
    [InlineData("Authorization: Bearer abc.def-123_456", "Authorization: [redacted] [redacted]")]
    [InlineData("sent Bearer abcdef123456 upstream", "sent Bearer [redacted] upstream")]
    [InlineData("header Basic dXNlcjpwYXNzd29yZA==", "header Basic [redacted]")]
    [InlineData("password=hunter2&next=1", "password=[redacted]&next=1")]
    [InlineData("{\"password\":\"hunter2\",\"name\":\"x\"}", "{\"password\":\"[redacted]\",\"name\":\"x\"}")]
    [InlineData("api_key: k-123 client_secret=s3cr3t", "api_key: [redacted] client_secret=[redacted]")]
    [InlineData("authToken=abc123", "authToken=[redacted]")]
    public void SecretsAndPersonalDataAreReplaced(string text, string expected) => Assert.Equal(expected, PiiScrubber.Scrub(text));

    [Fact]
    public void JwtsOpaqueTokensAndRtkTokensAreReplaced()
    {
        var jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_1";
        var opaque = OpaqueToken.Create();
        Assert.Equal("participant token [jwt] refresh [token].", PiiScrubber.Scrub($"participant token {jwt} refresh {opaque}."));
    }

    [Theory]
    [InlineData("meeting 0190f3a0-1234-7000-8000-00000000aaaa not found")]
    [InlineData("at 14:02:03 the Castio.Core.Meetings.MeetingService::StartAsync call failed")]
    [InlineData("version 1.2.3 of InTheAppsOwnHostTheClientStartsAnOrchestration")]
    [InlineData("basic authentication is not supported")]
    [InlineData("{\"code\":\"meeting.not_found\",\"status\":404}")]
    public void OrdinaryDiagnosticTextStays(string text) => Assert.Equal(text, PiiScrubber.Scrub(text));

    [Fact]
    public void EveryQueryValueIsRedacted() =>
        Assert.Equal("email=[redacted]&token=[redacted]&flag", PiiScrubber.ScrubQuery("?email=a%40b.c&token=xyz&flag"));

    [Fact]
    public void AnEventLosesCredentialsHeadersUserDataAndServerName()
    {
        var e = new SentryEvent(new InvalidOperationException("no seat for bob@example.com"))
        {
            ServerName = "web-01",
            User = new SentryUser { Id = "u1", Email = "bob@example.com", IpAddress = "198.51.100.7", Username = "bob" },
        };
        e.Request.Url = "https://castio.example/api/join?token=abc";
        e.Request.QueryString = "token=abc";
        e.Request.Cookies = "session=xyz";
        e.Request.Headers["Authorization"] = "Bearer abc123456789";
        e.Request.Headers["Cookie"] = "session=xyz";
        e.Request.Headers["X-Forwarded-For"] = "198.51.100.7";
        e.Request.Headers["User-Agent"] = "Mozilla/5.0 (from 198.51.100.7)";
        e.SetTag("note", "reported by bob@example.com");
        e.SetExtra("body", "password=hunter2");

        PiiScrubber.ScrubEvent(e);

        Assert.Null(e.ServerName);
        Assert.Equal("u1", e.User.Id);
        Assert.Null(e.User.Email);
        Assert.Null(e.User.IpAddress);
        Assert.Null(e.User.Username);
        Assert.Equal("https://castio.example/api/join", e.Request.Url);
        Assert.Equal("token=[redacted]", e.Request.QueryString);
        Assert.Null(e.Request.Cookies);
        Assert.Equal(["User-Agent"], e.Request.Headers.Keys);
        Assert.Equal("Mozilla/5.0 (from [ip])", e.Request.Headers["User-Agent"]);
        Assert.Equal("reported by [email]", e.Tags["note"]);
        Assert.Equal("password=[redacted]", e.Extra["body"]);
    }
}
