namespace HvMirror.Archive;

/// <summary>
/// A read-only stream whose every read must return within the idle timeout, so that a peer that stops sending in the
/// middle of a body cannot hold a reader for ever: HAPI answers (<see cref="CsvRecordReader"/>'s callers) and file
/// downloads both read through it. A read that times out throws <see cref="TimeoutException"/>.
/// </summary>
public sealed class IdleTimeoutStream(Stream inner, TimeSpan idleTimeout) : ReadOnlyStreamWrapper(inner)
{
    public TimeSpan IdleTimeout => idleTimeout;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(idleTimeout);
        try
        {
            return await Inner.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"nothing arrived for {idleTimeout.TotalSeconds:0.###} s in the middle of the response");
        }
    }
}
