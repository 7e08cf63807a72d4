-- The tables of a Helioviewer server's own database that HvMirror writes, exactly as Helioviewer's installer
-- creates them (Helioviewer-Project/api, install/helioviewer/db.py). Tests create them in a database of their own.
-- Never change the column order of `data`: hvpull inserts into it positionally.

CREATE TABLE `data` (
  `id`       int(10) unsigned NOT NULL AUTO_INCREMENT,
  `filepath` varchar(255) NOT NULL,
  `filename` varchar(255) NOT NULL,
  `date`     datetime DEFAULT NULL,
  `date_end` datetime DEFAULT NULL,
  `sourceId` smallint(5) unsigned NOT NULL,
  `scale` float DEFAULT NULL,
  `width` int(11) DEFAULT NULL,
  `height` int(11) DEFAULT NULL,
  `refPixelX` float DEFAULT NULL,
  `refPixelY` float DEFAULT NULL,
  `layeringOrder` int(11) DEFAULT NULL,
  `DSUN_OBS` float DEFAULT NULL,
  `SOLAR_R` float DEFAULT NULL,
  `RADIUS` float DEFAULT NULL,
  `CDELT1` float DEFAULT NULL,
  `CDELT2` float DEFAULT NULL,
  `CRVAL1` float DEFAULT NULL,
  `CRVAL2` float DEFAULT NULL,
  `CRPIX1` float DEFAULT NULL,
  `CRPIX2` float DEFAULT NULL,
  `XCEN` float DEFAULT NULL,
  `YCEN` float DEFAULT NULL,
  `CROTA1` float DEFAULT NULL,
  `process` tinyint(1) DEFAULT '0',
  `groupOne` int(11) NOT NULL DEFAULT '0',
  `groupTwo` int(11) DEFAULT NULL,
  `groupThree` int(11) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `filename_idx` (`filename`),
  KEY `date_index` (`sourceId`,`date`) USING BTREE,
  KEY `process` (`process`),
  KEY `sourceId` (`sourceId`),
  KEY `date_group` (`date`,`groupOne`) USING BTREE,
  KEY `date` (`date`),
  KEY `groupOne` (`groupOne`) USING BTREE,
  KEY `groupThree` (`groupThree`),
  KEY `groupTwo` (`groupTwo`),
  KEY `date_2` (`date`,`groupTwo`),
  KEY `date_3` (`date`,`groupThree`),
  INDEX `group_one_date` (`groupOne`, `date`),
  INDEX `group_two_date` (`groupTwo`, `date`),
  INDEX `group_three_date` (`groupThree`, `date`)
) ENGINE=MyISAM DEFAULT CHARSET=utf8;

CREATE TABLE `datasources` (
  `id`            smallint(5) unsigned NOT NULL,
  `name`          varchar(127) NOT NULL,
  `description`   varchar(255) DEFAULT NULL,
  `units`         varchar(20) DEFAULT NULL,
  `layeringOrder` tinyint(3) unsigned NOT NULL,
  `enabled`       tinyint(1) unsigned NOT NULL,
  `sourceIdGroup` varchar(256) DEFAULT '',
  `displayOrder`  tinyint(2) NOT NULL DEFAULT '0',
  `groupOne`      int(11) DEFAULT '0',
  `groupTwo`      int(11) NOT NULL DEFAULT '0',
  `groupThree`    int(11) NOT NULL DEFAULT '0',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `data_coverage_30_min` (
  `date` datetime NOT NULL,
  `sourceId` int(10) unsigned NOT NULL,
  `count` int(10) unsigned NOT NULL DEFAULT '0',
  PRIMARY KEY (`date`,`sourceId`),
  KEY `index1` (`date`),
  KEY `index2` (`sourceId`),
  KEY `index3` (`sourceId`,`date`),
  KEY `index4` (`date`,`sourceId`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
