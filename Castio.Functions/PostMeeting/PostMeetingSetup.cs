using Castio.Core.Webhooks;

namespace Castio.Functions.PostMeeting;

public static class PostMeetingSetup
{
    /// <summary>RTK webhook ingest, the post-meeting record and what starts its orchestrations.</summary>
    public static IServiceCollection AddWebhooksAndPostMeeting(this IServiceCollection services)
    {
        services.AddWebhookIngest();
        services.AddSingleton<PostMeetingStarter>();
        return services;
    }
}
