using HvMirror.Contracts;
using HvMirror.Poller;
using MassTransit;

namespace HvMirror.Node;

/// <summary>Tells the poller of this process how many of its announcements the comparer of this process has finished with.</summary>
internal sealed class ComparedAnnouncementsObserver(InFlightAnnouncements announcements) : IConsumeObserver
{
    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        Count(context);
        return Task.CompletedTask;
    }

    // A batch that faults is retried for hours (a catalog outage), and reported as failed by the sync when it gives up.
    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    private void Count<T>(ConsumeContext<T> context) where T : class
    {
        // The batch consumer's messages are observed one by one, each when its batch is done.
        if (context.Message is FileAnnounced) announcements.Compared(1);
    }
}
