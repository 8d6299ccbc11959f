using Castio.Core.HostControls;
using Castio.Core.Invites;
using Castio.Core.Insights;
using Castio.Core.Diagnostics.Investigate;
using Castio.Core.Joining;
using Castio.Core.Diagnostics;
using Castio.Core.Meetings;
using Castio.Core.PostMeeting;
using Castio.Core.Presets;
using Castio.Core.Retention;
using Castio.Core.Rtk;
using Castio.Core.Scheduling;
using Castio.Core.Webhooks;
using Castio.Functions.Auth;
using Castio.Core.Storage;
using Castio.Functions.Http;
using Castio.Functions.Observability;
using Castio.Functions.PostMeeting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Castio.Functions;

/// <summary>The composition root: everything Castio's functions need, registered once for both hosts.</summary>
public static class CastioServices
{
    public static IServiceCollection AddCastio(this IServiceCollection services, IConfiguration configuration)
    {
        // Cross-cutting HTTP: limits, JSON, problems, and the gate every HTTP function passes
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<HttpLimitsOptions>().BindConfiguration(HttpLimitsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<HttpLimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, CastioJsonContext.Default));
        services.AddCastioProblems();
        services.AddSingleton(FunctionCatalog.Instance);
        services.AddSingleton<HttpGate>();
        services.TryAddSingleton(new ClientAddress(ClientAddressSource.ForwardedByPlatform));

        // Storage
        services.AddCastioStorage();
        services.AddCastioRetention();

        // RealtimeKit
        services.AddRtk(configuration);
        services.AddRtkWebhooks();
        services.AddPresets();

        // Features
        services.AddCastioAuth(configuration);
        services.AddDiagnostics();
        services.AddCastioObservability(configuration);
        services.AddMeetings();
        services.AddScheduling().AddTransient<MeetingActivation>();
        services.AddInvites();
        services.AddJoining();
        services.AddHostControls();
        services.AddWebhooksAndPostMeeting();
        services.AddPostMeetingReads();
        services.AddAnalytics();
        services.AddInvestigate();
        return services;
    }
}
