using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace HvMirror.Catalog;

/// <summary>
/// The catalog model, shared by both providers. Each provider has its own subclass only so that each keeps its own
/// migrations (<see cref="PostgresCatalogDbContext"/>, <see cref="SqliteCatalogDbContext"/>).
/// </summary>
public abstract class CatalogDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<CatalogFile> Files => Set<CatalogFile>();

    public DbSet<CatalogDataset> Datasets => Set<CatalogDataset>();

    public DbSet<MirrorCursor> MirrorCursors => Set<MirrorCursor>();

    public DbSet<WantedFile> WantedFiles => Set<WantedFile>();

    public DbSet<QuarantinedRecord> QuarantinedRecords => Set<QuarantinedRecord>();

    public DbSet<FollowerCursor> FollowerCursors => Set<FollowerCursor>();

    public DbSet<FollowerSkippedRow> FollowerSkippedRows => Set<FollowerSkippedRow>();

    public DbSet<DaySummary> DaySummaries => Set<DaySummary>();

    public DbSet<MonthSummary> MonthSummaries => Set<MonthSummary>();

    public DbSet<AuditResult> AuditResults => Set<AuditResult>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CatalogFile>(file =>
        {
            file.ToTable("files");
            file.Property(f => f.Name).HasMaxLength(255);
            file.Property(f => f.Dataset).HasMaxLength(64);
            file.Property(f => f.ArchivePath).HasMaxLength(1024);
            file.Property(f => f.Checksum).HasMaxLength(80);
            file.Property(f => f.Upstream).HasMaxLength(128);
            file.HasIndex(f => f.Name).IsUnique();
            // The HAPI data query: one dataset, a time range, in time order. Unique because times are strictly increasing.
            file.HasIndex(f => new { f.Dataset, f.IngestedAt }).IsUnique();
            // A day's files, for the audit and the .observed listing.
            file.HasIndex(f => new { f.Dataset, f.ObservedAt });
        });
        modelBuilder.Entity<CatalogDataset>(dataset =>
        {
            dataset.ToTable("datasets");
            dataset.Property(d => d.Id).HasMaxLength(64);
        });
        modelBuilder.Entity<MirrorCursor>(cursor =>
        {
            cursor.ToTable("mirror_cursors");
            cursor.HasKey(c => new { c.Upstream, c.Dataset });
            cursor.Property(c => c.Upstream).HasMaxLength(128);
            cursor.Property(c => c.Dataset).HasMaxLength(64);
        });
        modelBuilder.Entity<WantedFile>(wanted =>
        {
            wanted.ToTable("wanted_files");
            wanted.HasKey(w => w.Name);
            wanted.Property(w => w.Name).HasMaxLength(255);
            wanted.Property(w => w.Upstream).HasMaxLength(128);
            wanted.Property(w => w.Dataset).HasMaxLength(64);
            wanted.Property(w => w.Checksum).HasMaxLength(80);
            wanted.Property(w => w.HeldChecksum).HasMaxLength(80);
            wanted.Property(w => w.Url).HasMaxLength(2048);
            wanted.Property(w => w.Reason).HasMaxLength(16);
            wanted.Property(w => w.LastError).HasMaxLength(2000);
            wanted.HasIndex(w => w.NextAttemptAt);
        });
        modelBuilder.Entity<QuarantinedRecord>(quarantined =>
        {
            quarantined.ToTable("quarantined_records");
            quarantined.HasKey(q => new { q.Upstream, q.Dataset, q.Name });
            quarantined.Property(q => q.Upstream).HasMaxLength(128);
            quarantined.Property(q => q.Dataset).HasMaxLength(64);
            quarantined.Property(q => q.Name).HasMaxLength(RecordQuarantine.MaxNameLength);
            quarantined.Property(q => q.Checksum).HasMaxLength(RecordQuarantine.MaxFieldLength);
            quarantined.Property(q => q.Url).HasMaxLength(RecordQuarantine.MaxFieldLength);
            quarantined.Property(q => q.Reason).HasMaxLength(RecordQuarantine.MaxReasonLength);
        });

        modelBuilder.Entity<FollowerCursor>(cursor =>
        {
            cursor.ToTable("follower_cursors");
            cursor.HasKey(c => c.Database);
            cursor.Property(c => c.Database).HasMaxLength(255);
        });
        modelBuilder.Entity<FollowerSkippedRow>(skipped =>
        {
            skipped.ToTable("follower_skipped_rows");
            skipped.HasKey(s => new { s.Database, s.RowId });
            skipped.Property(s => s.Database).HasMaxLength(255);
            skipped.Property(s => s.FileName).HasMaxLength(255);
            skipped.Property(s => s.Reason).HasMaxLength(2000);
            skipped.HasIndex(s => new { s.Database, s.NextAttemptAt });
        });

        modelBuilder.Entity<DaySummary>(summary =>
        {
            summary.ToTable("day_summaries");
            summary.HasKey(s => new { s.Dataset, s.Day });
            summary.Property(s => s.Dataset).HasMaxLength(64);
            summary.Property(s => s.Digest).HasMaxLength(64);
        });
        modelBuilder.Entity<MonthSummary>(summary =>
        {
            summary.ToTable("month_summaries");
            summary.HasKey(s => new { s.Dataset, s.Month });
            summary.Property(s => s.Dataset).HasMaxLength(64);
            summary.Property(s => s.Digest).HasMaxLength(64);
        });
        modelBuilder.Entity<AuditResult>(audit =>
        {
            audit.ToTable("audit_results");
            audit.HasKey(a => new { a.Upstream, a.Dataset });
            audit.Property(a => a.Upstream).HasMaxLength(128);
            audit.Property(a => a.Dataset).HasMaxLength(64);
            audit.Property(a => a.Error).HasMaxLength(2000);
            audit.Ignore(a => a.Completeness);
        });

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        foreach (var property in entity.GetProperties())
            property.SetColumnName(SnakeCase(property.Name));
    }

    private static string SnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && result.Length > 0) result.Append('_');
            result.Append(char.ToLowerInvariant(c));
        }
        return result.ToString();
    }
}

public sealed class PostgresCatalogDbContext(DbContextOptions<PostgresCatalogDbContext> options) : CatalogDbContext(options);

public sealed class SqliteCatalogDbContext(DbContextOptions<SqliteCatalogDbContext> options) : CatalogDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no timestamp type; microseconds since the Unix epoch keep full precision and sort as numbers.
        configurationBuilder.Properties<DateTime>().HaveConversion<UnixMicrosecondsConverter>();
    }

    internal sealed class UnixMicrosecondsConverter() : ValueConverter<DateTime, long>(
        value => (value.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) / 10,
        micros => new DateTime(DateTime.UnixEpoch.Ticks + micros * 10, DateTimeKind.Utc));
}
