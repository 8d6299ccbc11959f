namespace Castio.Core.Storage;

/// <summary>Creates a feature's tables and containers once per process; a failed attempt is retried by the next caller.</summary>
public sealed class CreateOnce(Func<CancellationToken, Task> create)
{
    private readonly Lock _gate = new();
    private Task? _ready;

    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
            {
                _ready = create(cancellationToken);
            }

            return _ready;
        }
    }
}
