using System.Security.Cryptography;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Orgs;
using Castio.Core.Retention;
using Castio.Core.Storage;
using Castio.Core.Users;
using Microsoft.Extensions.Options;

namespace Castio.Functions.Auth;

/// <summary>Sign-in, sessions, RBAC policies, rate limits, and the org/user services behind them.</summary>
public static partial class AuthSetup
{
    public static IServiceCollection AddCastioAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptions.Validator>();
        if (string.IsNullOrEmpty(configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.SigningKey)}"]) && !InAzure(configuration))
        {
            // Local convenience only: tokens die with the process. Azure and the Functions host must configure a key.
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            services.PostConfigure<AuthOptions>(o => o.SigningKey = key);
            services.AddHostedService<EphemeralKeyWarning>();
        }

        services.AddOptions<OrgOptions>().BindConfiguration(OrgOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OrgOptions>, OrgOptionsValidator>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<AccessTokenService>();
        // Each feature's store opens its own tables on the shared clients, under the storage name prefix.
        static string Prefix(IServiceProvider sp) => sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix;
        services.AddSingleton(sp => new OrgStore(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<BlobServiceClient>(), sp.GetRequiredService<TimeProvider>(), Prefix(sp)));
        services.AddSingleton(sp => new UserStore(sp.GetRequiredService<TableServiceClient>(), Prefix(sp)));
        services.AddSingleton(sp => new AuthTables(sp.GetRequiredService<TableServiceClient>(), Prefix(sp)));
        services.AddSingleton<SessionService>();
        services.AddSingleton(sp => new RateLimiter(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<ExpiryStore>(), sp.GetRequiredService<TimeProvider>(), Prefix(sp)));
        services.AddSingleton<AuthService>();
        services.AddSingleton<UserService>();
        services.AddSingleton<OrgService>();
        // Transient like the typed RtkClient it uses.
        services.AddTransient<RegistrationService>();

        return services;
    }

    /// <summary>Set by App Service on every instance; a missing signing key there must fail start-up, not be invented.</summary>
    private static bool InAzure(IConfiguration configuration) => !string.IsNullOrEmpty(configuration["WEBSITE_INSTANCE_ID"]);

    private sealed partial class EphemeralKeyWarning(ILogger<EphemeralKeyWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogEphemeralKey(logger);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(EventId = 4000, Level = LogLevel.Warning, Message = "Auth:SigningKey is not set: using a random key for this run only. Every sign-in ends when the process stops. Set Auth__SigningKey (base64, 32+ bytes).")]
        private static partial void LogEphemeralKey(ILogger logger);
    }
}

