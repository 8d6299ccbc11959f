using System.Security.Cryptography;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Orgs;
using Castio.Core.Retention;
using Castio.Core.Storage;
using Castio.Core.Users;
using Castio.Functions.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Castio.Functions.Auth;

/// <summary>Sign-in, sessions, RBAC policies, rate limits, and the org/user services behind them.</summary>
public static partial class AuthSetup
{
    public const string Scheme = "Bearer";

    public static WebApplicationBuilder AddCastioAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptions.Validator>();
        if (string.IsNullOrEmpty(builder.Configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.SigningKey)}"]) && IsLocalRun(builder.Configuration))
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
        services.AddSingleton(sp => new OrgTables(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<BlobServiceClient>(), sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix));
        services.AddSingleton<OrgStore>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<AuthService>();
        services.AddSingleton<UserService>();
        services.AddSingleton<OrgService>();
        services.AddSingleton(sp => new ExpiryStore(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix));
        services.AddSingleton<ExpirySweeper>();
        // Transient like the typed RtkClient it uses.
        services.AddTransient<RegistrationService>();

        services.AddHttpContextAccessor();
        services.AddScoped(sp => sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.User.ToCurrentUser()
            ?? throw new InvalidOperationException("CurrentUser is only available on authenticated routes."));

        services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(Scheme, null);
        var authorization = services.AddAuthorizationBuilder();
        foreach (var permission in Enum.GetValues<Permission>())
        {
            authorization.AddPolicy(Rbac.PolicyName(permission), policy => policy
                .RequireAuthenticatedUser()
                .RequireRole(Rbac.RolesFor(permission).Select(r => r.ToWire())));
        }

        services.AddAuthOpenApi();
        return builder;
    }

    /// <summary>Authentication then authorization, inside the host's problem handling.</summary>
    public static WebApplication UseCastioAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The route needs a role the seed §4.5 matrix allows for <paramref name="permission"/>.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Rbac.PolicyName(permission)).WithMetadata(new RequiredPermission(permission));

    private static bool IsLocalRun(IConfiguration configuration) =>
        !HostingMode.IsCustomHandler(configuration) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID"));

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

/// <summary>Endpoint metadata naming the permission a route needs (read by the OpenAPI transformer).</summary>
public sealed record RequiredPermission(Permission Permission);
