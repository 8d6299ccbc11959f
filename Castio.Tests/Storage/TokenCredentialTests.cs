using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Castio.Core.Storage;
using Castio.Core.Storage.Local;
using Microsoft.Extensions.Logging.Abstractions;

namespace Castio.Tests.Storage;

/// <summary>
/// Bearer tokens and user-delegation SAS against a second Azurite started with HTTPS and <c>--oauth basic</c>
/// (spec §3.4: it checks token shape — iss, aud, iat/nbf/exp — not signatures, so a locally minted JWT works).
/// </summary>
public sealed class TokenCredentialTests(TokenCredentialTests.OAuthAzurite azurite) : IClassFixture<TokenCredentialTests.OAuthAzurite>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One HTTPS + OAuth Azurite for this class, with a throwaway self-signed certificate for 127.0.0.1.</summary>
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
    }

    private HttpClientHandler TrustingHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == azurite.Certificate.Thumbprint,
    };

    private StorageAccount TokenAccount(TokenCredential credential)
    {
        var options = new StorageClientOptions { Transport = new HttpClientTransport(TrustingHandler()) };
        options.Retry.MaxRetries = 0;
        return StorageAccount.FromTokenCredential(
            new Uri($"https://127.0.0.1:{azurite.Process.BlobPort}/devstoreaccount1"),
            new Uri($"https://127.0.0.1:{azurite.Process.QueuePort}/devstoreaccount1"),
            new Uri($"https://127.0.0.1:{azurite.Process.TablePort}/devstoreaccount1"),
            credential, options);
    }

    [Fact]
    public async Task BearerTokensAuthorizeBlobAndQueueCalls()
    {
        var account = TokenAccount(new LocalJwtCredential());
        var container = account.Blobs.GetBlobContainerClient(Infrastructure.AzuriteFixture.UniqueName("tokens"));
        await container.CreateIfNotExistsAsync(Ct);
        var blob = container.GetBlobClient("hello.txt");
        await blob.UploadAsync(BinaryData.FromString("via bearer"), "text/plain", cancellationToken: Ct);
        Assert.Equal("via bearer", (await blob.DownloadContentAsync(cancellationToken: Ct)).Value.Content.ToString());

        var queue = account.Queues.GetQueueClient(Infrastructure.AzuriteFixture.UniqueName("tokens"));
        await queue.CreateIfNotExistsAsync(Ct);
        await queue.SendMessageAsync("hi", cancellationToken: Ct);
        Assert.Equal("hi", Assert.Single((await queue.PeekMessagesAsync(cancellationToken: Ct)).Value).MessageText);
    }

    [Fact]
    public async Task InvalidTokensAreRejected()
    {
        var account = TokenAccount(new LocalJwtCredential(audience: "https://not-storage.example"));
        var error = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => account.Blobs.GetBlobContainerClient("rejected").CreateIfNotExistsAsync(Ct));
        Assert.True(error.Status is 401 or 403, $"status {error.Status}");
    }

    [Fact]
    public async Task ReadLinkWithATokenCredentialIsAUserDelegationSasThatWorks()
    {
        var account = TokenAccount(new LocalJwtCredential());
        var container = account.Blobs.GetBlobContainerClient(Infrastructure.AzuriteFixture.UniqueName("delegated"));
        await container.CreateIfNotExistsAsync(Ct);
        var blob = container.GetBlobClient("a b.txt");
        await blob.UploadAsync(BinaryData.FromString("delegated content"), "text/plain", cancellationToken: Ct);

        var link = await blob.CreateReadLinkAsync(TimeSpan.FromMinutes(5), Ct);
        Assert.Contains("skoid=", link.Query, StringComparison.Ordinal);
        Assert.Contains("spr=https&", link.Query, StringComparison.Ordinal);

        using var http = new HttpClient(TrustingHandler());
        using var ok = await http.GetAsync(link, Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("delegated content", await ok.Content.ReadAsStringAsync(Ct));

        var key = (await account.Blobs.GetUserDelegationKeyAsync(null, DateTimeOffset.UtcNow.AddHours(1), Ct)).Value;
        Assert.False(string.IsNullOrEmpty(key.Value));
        var expired = blob.CreateUserDelegationSasUri(key, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(-1));
        using var refused = await http.GetAsync(expired, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    /// <summary>Mints an unsigned-in-effect JWT with the claims Azurite's basic OAuth checks.</summary>
    private sealed class LocalJwtCredential(string audience = "https://storage.azure.com") : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Assert.Equal(["https://storage.azure.com/.default"], requestContext.Scopes);
            var now = DateTimeOffset.UtcNow;
            var expires = now.AddHours(1);
            static string B64(object value) => Base64Url(JsonSerializer.SerializeToUtf8Bytes(value));
            var header = B64(new Dictionary<string, string> { ["alg"] = "HS256", ["typ"] = "JWT" });
            var payload = B64(new Dictionary<string, object>
            {
                ["iss"] = "https://sts.windows.net/11111111-1111-1111-1111-111111111111/",
                ["aud"] = audience,
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
