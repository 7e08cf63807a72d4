using MassTransit;

namespace HvMirror.Comparer;

public static class ComparerRole
{
    /// <summary>Adds the comparer's consumer (queue <c>file-announced</c>).</summary>
    public static IBusRegistrationConfigurator AddComparer(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<FileAnnouncedConsumer, FileAnnouncedConsumerDefinition>();
        return bus;
    }
}
