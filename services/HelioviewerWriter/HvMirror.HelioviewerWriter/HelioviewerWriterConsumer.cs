using HvMirror.Contracts;
using MassTransit;

namespace HvMirror.HelioviewerWriter;

/// <summary>
/// Queue <c>helioviewer-writer</c>: batches of <see cref="FileIngested"/> become rows of the Helioviewer server's own
/// database, one write per batch (coverage bins recounted once per batch). Replays are harmless: the write is idempotent.
/// </summary>
public sealed class HelioviewerWriterConsumer(HelioviewerRowWriter writer) : IConsumer<Batch<FileIngested>>
{
    public async Task Consume(ConsumeContext<Batch<FileIngested>> context)
    {
        var files = context.Message
            .Select(m => new HelioviewerFile(m.Message.Name, m.Message.ArchivePath, m.Message.Reason == FileNeedReason.Changed))
            .ToList();
        await writer.WriteAsync(files, context.CancellationToken);
    }
}
