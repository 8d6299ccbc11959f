using System.Text.Json.Nodes;
using static Castio.RtkSimulator.RestApi;
using static Castio.RtkSimulator.SimHttp;

namespace Castio.RtkSimulator;

/// <summary>Meeting participants and their tokens: <c>/{app}/meetings/{m}/participants</c>.</summary>
internal static class ParticipantsApi
{
    public static void Map(RouteGroupBuilder kit, RtkSimulatorState s)
    {
        kit.MapPost("/{app}/meetings/{m}/participants", async (string app, string m, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var custom = Str(body, "custom_participant_id", required: true, maxLength: 256)!;
            var preset = Str(body, "preset_name", required: true, maxLength: 256)!;
            var name = Str(body, "name", maxLength: 256);
            var picture = Str(body, "picture", maxLength: 2048);
            return Locked(s, () =>
            {
                var a = s.App(app);
                var meeting = Meeting(s, app, m);
                RequirePreset(a, preset);
                if (s.Options.RejectDuplicateCustomParticipantId && meeting.Participants.Values.Any(p => p.CustomParticipantId == custom))
                    throw new SimulatorException(409, $"Participant with custom_participant_id {custom} already exists in meeting {m}");
                var p = new SimParticipant
                {
                    Id = RtkSimulatorState.NewId(), MeetingId = meeting.Id, CustomParticipantId = custom, PresetName = preset,
                    Name = name, Picture = picture, CreatedAt = s.Now, UpdatedAt = s.Now,
                };
                meeting.Participants.Add(p.Id, p);
                return Ok(ParticipantJson(p, s.IssueToken(a, meeting, p)), 201);
            });
        });
        kit.MapGet("/{app}/meetings/{m}/participants", (string app, string m, HttpRequest req) => Locked(s, () =>
        {
            var list = Meeting(s, app, m).Participants.Values.OrderBy(p => p.CreatedAt).ToList();
            var (items, paging) = Page(list, req);
            return Ok(new JsonArray([.. items.Select(p => ParticipantJson(p, null))]), paging: paging);
        }));
        kit.MapGet("/{app}/meetings/{m}/participants/{p}", (string app, string m, string p) =>
            Locked(s, () => Ok(ParticipantJson(Participant(s, app, m, p), null))));
        kit.MapPatch("/{app}/meetings/{m}/participants/{p}", async (string app, string m, string p, HttpRequest req) =>
        {
            var body = await ReadObjectAsync(req);
            var name = Str(body, "name", maxLength: 256);
            var picture = Str(body, "picture", maxLength: 2048);
            var preset = Str(body, "preset_name", maxLength: 256);
            return Locked(s, () =>
            {
                var a = s.App(app);
                var participant = Participant(s, app, m, p);
                if (preset is not null) { RequirePreset(a, preset); participant.PresetName = preset; }
                if (name is not null) participant.Name = name;
                if (picture is not null) participant.Picture = picture;
                participant.UpdatedAt = s.Now;
                return Ok(ParticipantJson(participant, s.IssueToken(a, a.Meetings[m], participant)));
            });
        });
        kit.MapDelete("/{app}/meetings/{m}/participants/{p}", (string app, string m, string p) => Locked(s, () =>
        {
            var a = s.App(app);
            var participant = Participant(s, app, m, p);
            a.Meetings[m].Participants.Remove(p);
            foreach (var token in s.Tokens.Where(t => t.Value.Participant == p).Select(t => t.Key).ToList()) s.Tokens.Remove(token);
            var presetId = a.Presets.Values.FirstOrDefault(x => x.Name == participant.PresetName)?.Id;
            return Ok(new JsonObject
            {
                ["custom_participant_id"] = participant.CustomParticipantId, ["preset_id"] = presetId,
                ["created_at"] = RtkSimulatorState.Iso(participant.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(participant.UpdatedAt),
            });
        }));
        kit.MapPost("/{app}/meetings/{m}/participants/{p}/token", (string app, string m, string p) => Locked(s, () =>
        {
            var a = s.App(app);
            var participant = Participant(s, app, m, p);
            return Ok(new JsonObject { ["token"] = s.IssueToken(a, a.Meetings[m], participant) });
        }));
    }

    private static SimParticipant Participant(RtkSimulatorState s, string app, string meeting, string id) =>
        Meeting(s, app, meeting).Participants.TryGetValue(id, out var p) ? p : throw new SimulatorException(404, $"No user found with id {id}");

    /// <summary>Unknown preset on add/update: 400 (UNVERIFIED whether RTK answers 400 or 404).</summary>
    private static void RequirePreset(SimApp a, string name)
    {
        if (!a.Presets.Values.Any(p => p.Name == name)) throw new SimulatorException(400, $"No preset found with name {name}");
    }

    private static JsonObject ParticipantJson(SimParticipant p, string? token)
    {
        var json = new JsonObject
        {
            ["id"] = p.Id, ["name"] = p.Name, ["picture"] = p.Picture, ["custom_participant_id"] = p.CustomParticipantId, ["preset_name"] = p.PresetName,
            ["created_at"] = RtkSimulatorState.Iso(p.CreatedAt), ["updated_at"] = RtkSimulatorState.Iso(p.UpdatedAt),
        };
        if (token is not null) json["token"] = token;
        return json;
    }
}
