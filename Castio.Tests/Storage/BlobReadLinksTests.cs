using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Castio.Core.Storage;
using Castio.LocalHost;
using Castio.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Castio.Tests.Storage;

/// <summary>Read links: a service SAS with the Azurite key, a user-delegation SAS with a token credential (as in Azure).</summary>
public sealed class BlobReadLinksTests(AzuriteFixture azurite, BlobReadLinksTests.OAuthAzurite oauth) : IClassFixture<BlobReadLinksTests.OAuthAzurite>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<BlobClient> UploadAsync(BlobServiceClient service, string text)
    {
        var container = service.GetBlobContainerClient(AzuriteFixture.UniqueName("links"));
        await container.CreateIfNotExistsAsync(cancellationToken: Ct);
        var blob = container.GetBlobClient("a b.txt");
        await blob.UploadAsync(BinaryData.FromString(text), Ct);
        return blob;
    }

    [Fact]
    public async Task WithTheAzuriteKeyALinkIsAServiceSasThatReadsTheBlobUntilItExpires()
    {
        var blobs = azurite.Blobs;
        var blob = await UploadAsync(blobs, "service sas");
        using var http = new HttpClient();

        var link = await new BlobReadLinks(blobs, new FakeTimeProvider(DateTimeOffset.UtcNow)).CreateAsync(blob, TimeSpan.FromMinutes(5), Ct);
        var expired = await new BlobReadLinks(blobs, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1))).CreateAsync(blob, TimeSpan.FromMinutes(5), Ct);

        Assert.Contains("sp=r", link.Query, StringComparison.Ordinal);
        Assert.DoesNotContain("skoid=", link.Query, StringComparison.Ordinal);
        Assert.Equal("service sas", await http.GetStringAsync(link, Ct));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(expired, Ct)).StatusCode);
    }

    [Fact]
    public async Task LifetimeIsBounded()
    {
        var links = new BlobReadLinks(azurite.Blobs, TimeProvider.System);
        var blob = azurite.Blobs.GetBlobContainerClient("any").GetBlobClient("x");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => links.CreateAsync(blob, TimeSpan.Zero, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => links.CreateAsync(blob, TimeSpan.FromDays(8), Ct));
    }

    [Fact]
    public async Task WithATokenCredentialALinkIsAUserDelegationSasSignedWithOneCachedKey()
    {
        var keyRequests = new KeyRequestCounter();
        var blobs = oauth.TokenClient(keyRequests);
        var blob = await UploadAsync(blobs, "delegated");
        Assert.False(blob.CanGenerateSasUri);
        var links = new BlobReadLinks(blobs, new FakeTimeProvider(DateTimeOffset.UtcNow));

        var first = await links.CreateAsync(blob, TimeSpan.FromMinutes(5), Ct);
        var second = await links.CreateAsync(blob, TimeSpan.FromHours(1), Ct);

        // Azurite 3.36 checks user-delegation signatures only up to SAS version 2025-07-05, older than the
        // SDK's, so the link is checked for its shape here; the key itself came from Azurite over a bearer token.
        var query = System.Web.HttpUtility.ParseQueryString(first.Query);
        Assert.Equal("r", query["sp"]);
        Assert.Equal("b", query["sr"]);
        Assert.Equal("22222222-2222-2222-2222-222222222222", query["skoid"]);
        Assert.Equal("11111111-1111-1111-1111-111111111111", query["sktid"]);
        Assert.False(string.IsNullOrEmpty(query["sig"]));
        Assert.Equal(blob.Uri.AbsolutePath, first.AbsolutePath);
        Assert.Equal(query["ske"], System.Web.HttpUtility.ParseQueryString(second.Query)["ske"]);
        Assert.Equal(1, keyRequests.Count);
    }

    private sealed class KeyRequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => _count;

        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Uri.Query.Contains("comp=userdelegationkey", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }
        }
    }

    /// <summary>
    /// A second Azurite with HTTPS and <c>--oauth basic</c>: it checks a bearer token's shape (iss, aud,
    /// iat/nbf/exp), not its signature, so a locally minted JWT stands in for Entra ID.
    /// </summary>
    public sealed class OAuthAzurite : IAsyncLifetime
    {
        private readonly string _certDirectory = Directory.CreateTempSubdirectory("castio-azurite-tls").FullName;

        public X509Certificate2 Certificate { get; private set; } = null!;
        public AzuriteProcess Process { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var certPath = Path.Combine(_certDirectory, "cert.pem");
            var keyPath = Path.Combine(_certDirectory, "key.pem");
            await File.WriteAllTextAsync(certPath, Certificate.ExportCertificatePem(), Ct);
            await File.WriteAllTextAsync(keyPath, rsa.ExportPkcs8PrivateKeyPem(), Ct);

            var repoRoot = AzuriteProcess.FindRepoRoot(AppContext.BaseDirectory)!;
            Process = await AzuriteProcess.StartAsync(
                new AzuriteStartOptions(repoRoot) { ExtraArguments = ["--oauth", "basic", "--cert", certPath, "--key", keyPath] },
                NullLogger.Instance, Ct);
        }

        public async ValueTask DisposeAsync()
        {
            if (Process is not null) await Process.DisposeAsync();
            Certificate?.Dispose();
            Directory.Delete(_certDirectory, recursive: true);
        }

        public HttpClientHandler TrustingHandler() => new()
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == Certificate.Thumbprint,
        };

        public BlobServiceClient TokenClient(HttpPipelinePolicy policy)
        {
            var options = new BlobClientOptions { Transport = new HttpClientTransport(TrustingHandler()) };
            options.Retry.MaxRetries = 0;
            options.AddPolicy(policy, HttpPipelinePosition.PerCall);
            return new BlobServiceClient(new Uri($"https://127.0.0.1:{Process.BlobPort}/devstoreaccount1"), new LocalJwtCredential(), options);
        }
    }

    /// <summary>Mints a JWT with the claims Azurite's basic OAuth checks.</summary>
    private sealed class LocalJwtCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var now = DateTimeOffset.UtcNow;
            var expires = now.AddHours(1);
            static string B64(object value) => Base64Url(JsonSerializer.SerializeToUtf8Bytes(value));
            var header = B64(new Dictionary<string, string> { ["alg"] = "HS256", ["typ"] = "JWT" });
            var payload = B64(new Dictionary<string, object>
            {
                ["iss"] = "https://sts.windows.net/11111111-1111-1111-1111-111111111111/",
                ["aud"] = "https://storage.azure.com",
                ["iat"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
                ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
                ["exp"] = expires.ToUnixTimeSeconds(),
                ["oid"] = "22222222-2222-2222-2222-222222222222",
                ["tid"] = "11111111-1111-1111-1111-111111111111",
            });
            var signature = Base64Url(HMACSHA256.HashData(new byte[32], Encoding.ASCII.GetBytes(header + "." + payload)));
            return new AccessToken($"{header}.{payload}.{signature}", expires);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));

        private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
