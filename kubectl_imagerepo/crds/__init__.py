"""The CustomResourceDefinitions this plugin ships."""
