using System.Text.Json;
using Castio.Functions.Hosting;

namespace Castio.Tests.Hosting;

public class InvocationPayloadTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Theory]
    [InlineData("\"hello\"", "hello")]             // JSON-encoded inside the JSON string (spec §5.1)
    [InlineData("hello", "hello")]
    [InlineData("\"unterminated", "\"unterminated")]
    [InlineData("\"a \\\"quoted\\\" word\"", "a \"quoted\" word")]
    public void HostStringsAreDecodedOnceMoreOnlyWhenTheyAreJsonStrings(string value, string expected) =>
        Assert.Equal(expected, InvocationEndpoints.DecodeHostString(value));

    [Fact]
    public void QueueMessageDoubleEncodedByTheHostArrivesAsTheOriginalText()
    {
        var payload = Json("""{"Data":{"message":"\"hello world\""},"Metadata":{"Id":"\"abc\"","DequeueCount":2,"InsertionTime":"2026-01-05T09:00:00+00:00"}}""");
        var trigger = InvocationEndpoints.ParseQueueTrigger(payload);
        Assert.NotNull(trigger);
        Assert.Equal("hello world", trigger.MessageText);
        Assert.Equal("abc", trigger.Id);
        Assert.Equal(2, trigger.DequeueCount);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero), trigger.InsertedOn);
    }

    [Fact]
    public void QueueMessageThatArrivesAsAnObjectIsPassedAsItsJsonText()
    {
        var payload = Json("""{"data":{"MESSAGE":{"kind":"x","n":1}},"metadata":{"id":"m1","dequeueCount":"3"}}""");
        var trigger = InvocationEndpoints.ParseQueueTrigger(payload);
        Assert.NotNull(trigger);
        Assert.Equal("""{"kind":"x","n":1}""", trigger.MessageText);
        Assert.Equal(3, trigger.DequeueCount);
    }

    [Theory]
    [InlineData("""{"Data":{},"Metadata":{"Id":"m1"}}""")]
    [InlineData("""{"Data":{"message":"x"},"Metadata":{}}""")]
    [InlineData("""{"Data":{"message":42},"Metadata":{"Id":"m1"}}""")]
    public void QueuePayloadWithoutMessageOrIdIsRejected(string json) =>
        Assert.Null(InvocationEndpoints.ParseQueueTrigger(Json(json)));

    [Fact]
    public void TimerInfoIsReadAsAnObject()
    {
        var payload = Json("""{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-01-05T09:00:00Z","Next":"2026-01-05T09:05:00Z","LastUpdated":"2026-01-05T09:00:00Z"},"IsPastDue":true}},"Metadata":{}}""");
        var timer = InvocationEndpoints.ParseTimerInfo(payload);
        Assert.True(timer.IsPastDue);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero), timer.Last);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 5, 0, TimeSpan.Zero), timer.Next);
    }

    [Fact]
    public void TimerInfoIsReadAsAJsonString()
    {
        var payload = Json("""{"Data":{"timer":"{\"ScheduleStatus\":null,\"IsPastDue\":true}"},"Metadata":{}}""");
        var timer = InvocationEndpoints.ParseTimerInfo(payload);
        Assert.True(timer.IsPastDue);
        Assert.Null(timer.Last);
    }
}
