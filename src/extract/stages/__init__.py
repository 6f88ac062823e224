"""The stages of one article, in pipeline order: normalize, segment, entities (gazetteer), quantities (rules, numbers), context, attribute."""
