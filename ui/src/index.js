import React from 'react';
import ReactDOM from 'react-dom';
import { AyxAppWrapper } from '@alteryx/ui';
import { DesignerApi } from '@alteryx/react-comms';
import App from './App';
import { paramInfo } from './params';
import endpoints from './generated/endpoints.json';

const root = document.getElementById('app');
const toolClass = root.getAttribute('data-tool');
// Read by the panel tests (every query parameter and form value has a label in words).
window.AyxServerToolsPanel = { paramInfo, endpoints };

ReactDOM.render(
  <DesignerApi messages={{}}>
    <AyxAppWrapper>
      <App toolClass={toolClass} />
    </AyxAppWrapper>
  </DesignerApi>,
  root,
);
