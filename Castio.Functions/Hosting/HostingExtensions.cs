using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Castio.Functions.Hosting;

/// <summary>The host's cross-cutting set-up: listening address, logs, limits, JSON, problems, validation, OpenAPI, triggers.</summary>
public static class HostingExtensions
{
    public static WebApplicationBuilder AddCastioHost(this WebApplicationBuilder builder)
    {
        if (HostingMode.ListenUrl(builder.Configuration) is { } url)
            builder.WebHost.UseUrls(url);

        // One JSON object per line: the host turns each stdout line into one log entry (spec §6.1); errors go to stderr.
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.JsonWriterOptions = new() { Indented = false };
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Error);

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<HttpLimitsOptions>().BindConfiguration(HttpLimitsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QueuePollingOptions>().BindConfiguration(QueuePollingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<HttpLimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, CastioJsonContext.Default));
        services.AddCastioProblems();
        services.AddValidation();
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Castio API";
            // The handler's own address means nothing behind the Functions host; clients use the app's URL.
            document.Servers?.Clear();
            return Task.CompletedTask;
        }));

        builder.AddCastioHostStorage();
        // Registered before the timers so Azurite is up before they start.
        services.AddHostedService<LocalAzurite>();
        services.AddSingleton<FunctionRunner>();
        services.AddHostedService<TimerScheduler>();
        return builder;
    }

    public static WebApplication UseCastioHost(this WebApplication app)
    {
        app.UseCastioProblems();
        app.MapOpenApi("/api/openapi.json").AllowAnonymous();
        if (HostingMode.IsCustomHandler(app.Configuration))
            app.MapFunctionInvocations();
        return app;
    }
}
