using HvMirror.Node;

// The follower host: a Helioviewer server becomes a primary. Tails Helioviewer's `data` table (HvMirror__Helioviewer__Database) by id and registers each new row's file, already in the archive (HvMirror__Archive = Helioviewer's jp2_dir), in the catalog in place.
return await HvMirrorNode.RunHostAsync(args, "hvmirror-follower", NodeRoles.Follower);
