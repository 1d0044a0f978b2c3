import React from 'react';
import { AdvancedSection, ConnectionSection, leftovers } from './Connection';

const AuthenticatePanel = (props) => (
  <>
    <ConnectionSection {...props} />
    <AdvancedSection {...props} extraKeys={leftovers(props.toolClass, [])} />
  </>
);

export default AuthenticatePanel;
